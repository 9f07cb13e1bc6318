import { once } from 'node:events';
import { connect, createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { generateTestCertificates, useCleanup, type IssuedCertificate } from '../../src/index.ts';

const cleanup = useCleanup();

/** Serves one TLS handshake with `server` and reports how a client trusting `ca` fared. */
async function handshake(server: IssuedCertificate, ca: string, servername: string) {
  const listener = createServer({ cert: server.cert, key: server.key }, (socket) => socket.end());
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const { port } = listener.address() as AddressInfo;
  try {
    const socket: TLSSocket = connect({ host: '127.0.0.1', port, ca, servername });
    return await new Promise<string>((resolve) => {
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve('trusted');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
  } finally {
    listener.close();
  }
}

describe('generateTestCertificates', () => {
  it('issues a server certificate a client trusting the CA accepts, and the two wrong ones it refuses', async () => {
    const certs = await generateTestCertificates(cleanup);
    expect(await handshake(certs.server, certs.ca.cert, 'localhost')).toBe('trusted');
    expect(await handshake(certs.untrusted.server, certs.ca.cert, 'localhost')).toBe(
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    );
    expect(await handshake(certs.wrongHost, certs.ca.cert, 'localhost')).toBe(
      'ERR_TLS_CERT_ALTNAME_INVALID',
    );
  });
});
