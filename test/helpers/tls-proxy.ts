import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { tieSockets } from './tcp-proxy.js';

export interface TestCertificates {
  /** The CA's certificate (PEM), as a file to hand to the service. */
  readonly caFile: string;
  readonly caPem: Buffer;
  /** A server certificate signed by the CA, for `localhost` (and its loopback addresses), and its key (PEM). */
  readonly certPem: Buffer;
  readonly keyPem: Buffer;
  remove(): void;
}

const OPENSSL_CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = spark-data-api test
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
authorityKeyIdentifier = keyid
`;

/**
 * A throwaway certificate authority and a server certificate it signed, made with the
 * `openssl` command line in a temporary directory. Valid for two days.
 */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'spark-data-api-tls-'));
  const openssl = (command: string) => {
    try {
      execFileSync('openssl', command.split(' '), { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new Error(`openssl failed (is it installed?): ${command}\n${stderr}`, { cause: err });
    }
  };
  writeFileSync(join(dir, 'openssl.cnf'), OPENSSL_CONFIG);
  const newKey = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';
  openssl(
    `req -x509 -config openssl.cnf -extensions ca ${newKey} -keyout ca.key -out ca.pem -days 2 ` +
      '-subj /CN=spark-data-api-test-ca',
  );
  openssl(`req -new -config openssl.cnf ${newKey} -keyout server.key -out server.csr -subj /CN=localhost`);
  openssl(
    'x509 -req -in server.csr -CA ca.pem -CAkey ca.key -days 2 -extfile openssl.cnf -extensions server ' +
      `-set_serial 0x${randomBytes(8).toString('hex')} -out server.pem`,
  );
  const file = (name: string) => join(dir, name);
  return {
    caFile: file('ca.pem'),
    caPem: readFileSync(file('ca.pem')),
    certPem: readFileSync(file('server.pem')),
    keyPem: readFileSync(file('server.key')),
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What the proxy saw of one client connection. */
export interface TlsConnection {
  /** The protocol agreed by ALPN (`h2` for gRPC). */
  readonly alpnProtocol: string | false | null;
  readonly tlsVersion: string | null;
}

/**
 * A TLS terminator in front of a plaintext server, as deployments put in front of Spark
 * Connect: it decrypts, offers HTTP/2 by ALPN, and forwards the bytes over TCP.
 */
export class TlsProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #upstream: { host: string; port: number };
  /** Connections that completed the TLS handshake. */
  readonly connections: TlsConnection[] = [];

  private constructor(server: Server, upstream: { host: string; port: number }) {
    this.#server = server;
    this.#upstream = upstream;
  }

  static async start(
    upstream: { host: string; port: number },
    certificates: { certPem: Buffer; keyPem: Buffer },
  ): Promise<TlsProxy> {
    const server = createServer({
      cert: certificates.certPem,
      key: certificates.keyPem,
      ALPNProtocols: ['h2'],
    });
    const proxy = new TlsProxy(server, upstream);
    server.on('secureConnection', (client) => {
      proxy.#pipe(client);
    });
    // Failed handshakes (an untrusting client hangs up) are part of what the tests show.
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #pipe(client: TLSSocket): void {
    this.connections.push({ alpnProtocol: client.alpnProtocol, tlsVersion: client.getProtocol() });
    const upstream = connect(this.#upstream.port, this.#upstream.host);
    tieSockets(client, upstream, this.#sockets);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
