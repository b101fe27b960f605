/**
 * Spark Connect connection strings: `sc://host[:port]/[;key=value]*`, as in Spark's
 * client-connection-string spec. Parameter names are case sensitive and values are
 * URL-decoded. Parameters the spec doesn't name become gRPC metadata on every call, as
 * PySpark does.
 */

export const DEFAULT_PORT = 15002;
export const DEFAULT_MAX_MESSAGE_SIZE = 128 * 1024 * 1024;

export interface SparkEndpoint {
  readonly host: string;
  readonly port: number;
  /**
   * TLS, trusting Node's default authorities or the transport's `caCertificates`. On when
   * `use_ssl=true`, or when a token is given without `use_ssl=false`.
   */
  readonly useSsl: boolean;
  /** Bearer token sent as `authorization` metadata on every call. */
  readonly token?: string;
  /** Spark's `UserContext.user_id`: sessions are keyed by user id and session id. */
  readonly userId?: string;
  readonly userName?: string;
  /** Prefix of the client type reported to Spark, for its logs and UI. */
  readonly userAgent?: string;
  /** A fixed session id (UUID); a random one per session when absent. */
  readonly sessionId?: string;
  /** gRPC send and receive limit; Spark's Arrow batches can be tens of MiB. */
  readonly maxMessageSize: number;
  /** Extra gRPC metadata from parameters the spec doesn't name. */
  readonly headers: Readonly<Record<string, string>>;
}

export class ConnectionStringError extends Error {
  override readonly name = 'ConnectionStringError';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEADER_NAME = /^[0-9a-z!#$%&'*+.^_`|~-]+$/;
const HOST = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)$/;

const KNOWN = new Set([
  'token',
  'use_ssl',
  'user_id',
  'user_name',
  'user_agent',
  'session_id',
  'grpc_max_message_size',
]);

/** Parses a connection string; throws {@link ConnectionStringError} saying what to fix. */
export function parseConnectionString(input: string): SparkEndpoint {
  const fail = (why: string): never => {
    throw new ConnectionStringError(`invalid Spark Connect connection string '${redact(input)}': ${why}`);
  };

  if (!input.startsWith('sc://')) fail("it must start with 'sc://' (e.g. sc://localhost:15002)");
  const rest = input.slice('sc://'.length);
  const semi = rest.indexOf(';');
  const authorityAndPath = semi === -1 ? rest : rest.slice(0, semi);
  const paramText = semi === -1 ? '' : rest.slice(semi + 1);

  const slash = authorityAndPath.indexOf('/');
  const authority = slash === -1 ? authorityAndPath : authorityAndPath.slice(0, slash);
  const path = slash === -1 ? '' : authorityAndPath.slice(slash + 1);
  if (path !== '') fail(`it must not have a path ('/${path}'); parameters follow '/;'`);

  const { host, port } = parseAuthority(authority, fail);
  const params = parseParams(paramText, fail);

  const token = params.get('token');
  const useSsl = parseBool(params.get('use_ssl'), 'use_ssl', fail) ?? token !== undefined;
  const sessionId = params.get('session_id');
  if (sessionId !== undefined && !UUID.test(sessionId)) fail(`session_id '${sessionId}' is not a UUID`);
  const sizeText = params.get('grpc_max_message_size');
  let maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
  if (sizeText !== undefined) {
    if (!/^[1-9][0-9]*$/.test(sizeText))
      fail(`grpc_max_message_size '${sizeText}' is not a positive integer`);
    maxMessageSize = Number(sizeText);
  }

  const headers: Record<string, string> = {};
  for (const [key, value] of params) {
    if (KNOWN.has(key)) continue;
    if (!HEADER_NAME.test(key)) fail(`parameter '${key}' is not a valid gRPC metadata name (lower case)`);
    headers[key] = value;
  }

  return {
    host,
    port,
    useSsl,
    maxMessageSize,
    headers,
    ...optional('token', token),
    ...optional('userId', params.get('user_id')),
    ...optional('userName', params.get('user_name')),
    ...optional('userAgent', params.get('user_agent')),
    ...optional('sessionId', sessionId),
  };
}

/** The connection string with the token replaced, for logs and error messages. */
export function redact(connectionString: string): string {
  return connectionString.replace(/(;token=)[^;]*/g, '$1***');
}

function parseAuthority(authority: string, fail: (why: string) => never): { host: string; port: number } {
  if (authority === '') fail('the host is missing');
  const match = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(authority);
  const host = match?.[1] ?? '';
  const portText = match?.[2];
  if (!HOST.test(host)) fail(`'${host}' is not a valid host name`);
  if (portText === undefined) return { host, port: DEFAULT_PORT };
  const port = /^[0-9]{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) fail(`port '${portText}' is not a number from 1 to 65535`);
  return { host, port };
}

function parseParams(text: string, fail: (why: string) => never): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of text.split(';')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) fail(`parameter '${part}' must have the form key=value`);
    const key = part.slice(0, eq);
    let value: string;
    try {
      value = decodeURIComponent(part.slice(eq + 1));
    } catch {
      return fail(`the value of '${key}' is not valid URL encoding`);
    }
    if (params.has(key)) fail(`parameter '${key}' is given twice`);
    params.set(key, value);
  }
  return params;
}

function parseBool(
  value: string | undefined,
  key: string,
  fail: (why: string) => never,
): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return fail(`${key} must be 'true' or 'false', not '${value}'`);
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
