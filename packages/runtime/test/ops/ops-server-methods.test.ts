import { Registry } from 'prom-client';
import { startOpsServer } from '../../src/index.ts';

describe('ops server methods and bind address', () => {
  it('regression: POST and DELETE were answered like GET; now 405 with Allow', async () => {
    const server = await startOpsServer({
      port: 0,
      host: '127.0.0.1',
      registry: new Registry(),
      health: () => ({ ok: true }),
      ready: () => ({ ok: true }),
    });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      for (const method of ['POST', 'DELETE', 'PUT']) {
        const response = await fetch(`${base}/readyz`, { method });
        expect(response.status).toBe(405);
        expect(response.headers.get('allow')).toBe('GET, HEAD');
      }
      const head = await fetch(`${base}/healthz`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
    } finally {
      await server.close();
    }
  });

  it('binds only the address it is given (OPS_HOST)', async () => {
    const server = await startOpsServer({
      port: 0,
      host: '127.0.0.2',
      registry: new Registry(),
      health: () => ({ ok: true }),
      ready: () => ({ ok: true }),
    });
    try {
      expect((await fetch(`http://127.0.0.2:${server.port}/healthz`)).status).toBe(200);
      await expect(fetch(`http://127.0.0.1:${server.port}/healthz`)).rejects.toThrow();
    } finally {
      await server.close();
    }
  });
});
