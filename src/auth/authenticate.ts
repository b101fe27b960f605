import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  importSPKI,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import Type, { type Static } from 'typebox';
import { parse } from 'yaml';
import { schemaCheck } from '../config/file-schema.js';
import { Scalar } from '../query/spec.js';
import { DEFAULT_TENANT, SCOPES, type Principal } from './principal.js';

const strict = { additionalProperties: false } as const;
const Scopes = Type.Array(Type.Enum([...SCOPES]));
const Datasets = Type.Union([Type.Literal('*'), Type.Array(Type.String({ minLength: 1 }))]);
const Claims = Type.Record(Type.String(), Type.Union([Scalar, Type.Array(Scalar)]));

/** The authentication file (AUTH_FILE): API keys, JWT verification, and the anonymous principal. */
export const AuthFile = Type.Object(
  {
    apiKeys: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1 }),
            sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the key, hex.' }),
            tenant: Type.String({ minLength: 1 }),
            scopes: Scopes,
            datasets: Type.Optional(Datasets),
            claims: Type.Optional(Claims),
          },
          strict,
        ),
      ),
    ),
    jwt: Type.Optional(
      Type.Object(
        {
          jwksUrl: Type.Optional(Type.String({ minLength: 1 })),
          jwksFile: Type.Optional(Type.String({ minLength: 1 })),
          publicKeyFile: Type.Optional(Type.String({ minLength: 1, description: 'PEM (SPKI).' })),
          secret: Type.Optional(Type.String({ minLength: 32, description: 'HMAC key (HS256).' })),
          issuer: Type.String({ minLength: 1 }),
          audience: Type.String({ minLength: 1 }),
          clockSkewSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 600 })),
          tenantClaim: Type.Optional(Type.String({ minLength: 1 })),
          scopesClaim: Type.Optional(Type.String({ minLength: 1 })),
          datasetsClaim: Type.Optional(Type.String({ minLength: 1 })),
        },
        strict,
      ),
    ),
    anonymous: Type.Optional(
      Type.Object(
        {
          tenant: Type.String({ minLength: 1 }),
          scopes: Scopes,
          datasets: Type.Optional(Datasets),
          claims: Type.Optional(Claims),
        },
        strict,
      ),
    ),
  },
  strict,
);
export type AuthFile = Static<typeof AuthFile>;

const check = schemaCheck(AuthFile);

export class AuthConfigError extends Error {
  override readonly name = 'AuthConfigError';
}

/** Why a request was not authenticated: said in the 401 and its WWW-Authenticate header. */
export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
  /** `invalid_token` when credentials were sent and refused. */
  readonly invalidToken: boolean;

  constructor(message: string, invalidToken: boolean) {
    super(message);
    this.invalidToken = invalidToken;
  }
}

interface JwtSettings {
  readonly key: JWTVerifyGetKey | Uint8Array | Awaited<ReturnType<typeof importSPKI>>;
  readonly file: NonNullable<AuthFile['jwt']>;
}

export interface AuthenticatorOptions {
  /**
   * Claims that dataset row filters bind to: a token's value for one must be a value or a
   * non-empty list of values, or the token is refused (a malformed claim must never widen or
   * silently empty what a principal sees).
   */
  readonly rowFilterClaims?: Iterable<string>;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Everyone, with every scope, as the default tenant: ANONYMOUS=true without an authentication file. */
export const OPEN_ANONYMOUS: NonNullable<AuthFile['anonymous']> = {
  tenant: DEFAULT_TENANT,
  scopes: [...SCOPES],
};

/**
 * Checks credentials: `Authorization: Bearer <JWT or API key>` or `X-API-Key`. API keys are
 * kept as SHA-256 hashes and compared in constant time; JWTs are verified (signature with a
 * JWKS or a static key, issuer, audience, expiry with clock skew; never `alg: none`).
 */
export class Authenticator {
  readonly #keys: { hash: Buffer; principal: Principal }[];
  readonly #anonymous: Principal | undefined;
  readonly #jwt: JwtSettings | undefined;
  readonly #rowFilterClaims: readonly string[];

  private constructor(
    keys: { hash: Buffer; principal: Principal }[],
    anonymous: Principal | undefined,
    jwt: JwtSettings | undefined,
    options: AuthenticatorOptions,
  ) {
    this.#keys = keys;
    this.#anonymous = anonymous;
    this.#jwt = jwt;
    this.#rowFilterClaims = [...new Set(options.rowFilterClaims ?? [])];
  }

  static async create(file: AuthFile, options: AuthenticatorOptions = {}): Promise<Authenticator> {
    const keys = (file.apiKeys ?? []).map((k) => ({
      hash: Buffer.from(k.sha256, 'hex'),
      principal: principal(`key:${k.name}`, k.tenant, k.scopes, k.datasets, k.claims),
    }));
    const anonymous =
      file.anonymous === undefined
        ? undefined
        : principal(
            'anonymous',
            file.anonymous.tenant,
            file.anonymous.scopes,
            file.anonymous.datasets,
            file.anonymous.claims,
          );
    let jwt: JwtSettings | undefined;
    if (file.jwt !== undefined) {
      const j = file.jwt;
      const sources = [j.jwksUrl, j.jwksFile, j.publicKeyFile, j.secret].filter((x) => x !== undefined);
      if (sources.length !== 1) {
        throw new AuthConfigError('jwt: give exactly one of jwksUrl, jwksFile, publicKeyFile or secret');
      }
      const key =
        j.jwksUrl !== undefined
          ? createRemoteJWKSet(new URL(j.jwksUrl))
          : j.jwksFile !== undefined
            ? createLocalJWKSet(
                JSON.parse(readFileSync(j.jwksFile, 'utf8')) as Parameters<typeof createLocalJWKSet>[0],
              )
            : j.publicKeyFile !== undefined
              ? await importSPKI(readFileSync(j.publicKeyFile, 'utf8'), 'RS256')
              : new TextEncoder().encode(j.secret);
      jwt = { key, file: j };
    }
    return new Authenticator(keys, anonymous, jwt, options);
  }

  static fromFile(path: string, options: AuthenticatorOptions = {}): Promise<Authenticator> {
    let data: unknown;
    try {
      data = parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new AuthConfigError(`AUTH_FILE '${path}': ${(err as Error).message.split('\n')[0] ?? ''}`);
    }
    const problem = check(data);
    if (problem !== undefined) throw new AuthConfigError(`AUTH_FILE '${path}': ${problem.text}`);
    return Authenticator.create(data as AuthFile, options);
  }

  /** The principal of a request's headers; throws AuthenticationError. */
  async authenticate(headers: Readonly<Record<string, string | string[] | undefined>>): Promise<Principal> {
    const authorization = single(headers['authorization']);
    const apiKey = single(headers['x-api-key']);
    let credential: string | undefined;
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (match === null) throw new AuthenticationError('use Authorization: Bearer <token>', true);
      credential = match[1];
    } else if (apiKey !== undefined) {
      credential = apiKey.trim();
    }
    if (credential === undefined || credential === '') {
      if (this.#anonymous !== undefined) return this.#anonymous;
      throw new AuthenticationError('send an API key or a bearer token', false);
    }
    if (/^[\w-]+\.[\w-]+\.[\w-]*$/.test(credential)) return this.#verifyJwt(credential);
    return this.#checkKey(credential);
  }

  #checkKey(key: string): Principal {
    const hash = sha256(key);
    let found: Principal | undefined;
    // Every stored hash is compared, in constant time, whichever matches.
    for (const entry of this.#keys) if (timingSafeEqual(entry.hash, hash)) found = entry.principal;
    if (found === undefined) throw new AuthenticationError('the API key is not valid', true);
    return found;
  }

  async #verifyJwt(token: string): Promise<Principal> {
    const jwt = this.#jwt;
    if (jwt === undefined) throw new AuthenticationError('bearer tokens are not accepted here', true);
    const { file } = jwt;
    let payload: JWTPayload;
    try {
      const options = {
        issuer: file.issuer,
        audience: file.audience,
        clockTolerance: file.clockSkewSeconds ?? 30,
        requiredClaims: ['exp'],
      };
      payload =
        jwt.key instanceof Uint8Array
          ? (await jwtVerify(token, jwt.key, { ...options, algorithms: ['HS256', 'HS384', 'HS512'] })).payload
          : (await jwtVerify(token, jwt.key as JWTVerifyGetKey, options)).payload;
    } catch (err) {
      const why =
        err instanceof joseErrors.JWTExpired
          ? 'the token has expired'
          : err instanceof joseErrors.JWTClaimValidationFailed
            ? `the token's ${err.claim} claim is not accepted`
            : 'the token is not valid';
      throw new AuthenticationError(why, true);
    }
    const tenantClaim = file.tenantClaim ?? 'tenant';
    const tenant = payload[tenantClaim];
    if (tenant === undefined) throw new AuthenticationError(`the token has no ${tenantClaim} claim`, true);
    if (typeof tenant !== 'string' || tenant === '') throw malformed(tenantClaim, 'a non-empty string');
    const scopesClaim = file.scopesClaim ?? 'scope';
    const rawScopes = payload[scopesClaim];
    let scopes: string[] = [];
    if (typeof rawScopes === 'string') scopes = rawScopes.split(/\s+/).filter((s) => s !== '');
    else if (isStringList(rawScopes, true)) scopes = rawScopes;
    else if (rawScopes !== undefined) {
      throw malformed(scopesClaim, 'a space-separated string or a list of strings');
    }
    const datasetsClaim = file.datasetsClaim ?? 'datasets';
    const rawDatasets = payload[datasetsClaim];
    if (rawDatasets !== undefined && !isStringList(rawDatasets, true)) {
      throw malformed(datasetsClaim, 'a list of dataset names');
    }
    for (const name of this.#rowFilterClaims) {
      const value = payload[name];
      if (value !== undefined && !isClaimValue(value)) {
        throw malformed(name, 'a string, number or boolean, or a non-empty list of them');
      }
    }
    const claims = Object.fromEntries(
      Object.entries(payload).filter(([, v]) => isClaimValue(v)),
    ) as Principal['claims'];
    return principal(`jwt:${payload.sub ?? tenant}`, tenant, scopes, rawDatasets ?? '*', claims);
  }
}

/** A claim whose shape is not the one this service reads: the token is refused, naming it. */
function malformed(claim: string, shape: string): AuthenticationError {
  return new AuthenticationError(`the token's ${claim} claim is malformed: it must be ${shape}`, true);
}

function isStringList(value: unknown, allowEmpty: boolean): value is string[] {
  return (
    Array.isArray(value) &&
    (allowEmpty || value.length > 0) &&
    value.every((v) => typeof v === 'string' && v !== '')
  );
}

const isClaimScalar = (v: unknown) =>
  typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/** What a row filter can bind: one value, or a non-empty list of values. */
function isClaimValue(value: unknown): value is Scalar | Scalar[] {
  return isClaimScalar(value) || (Array.isArray(value) && value.length > 0 && value.every(isClaimScalar));
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function principal(
  id: string,
  tenant: string,
  scopes: readonly string[],
  datasets: readonly string[] | '*' | undefined,
  claims: Principal['claims'] | undefined,
): Principal {
  return Object.freeze({
    id,
    tenant,
    scopes: new Set(scopes),
    datasets: datasets === undefined || datasets === '*' ? '*' : new Set(datasets),
    claims: Object.freeze({ ...(claims ?? {}) }),
  });
}
