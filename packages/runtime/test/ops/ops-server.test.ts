import { Counter, Registry } from 'prom-client';
import { startOpsServer } from '../../src/index.ts';

describe('ops server', () => {
  it('serves metrics, liveness and readiness', async () => {
    const registry = new Registry();
    new Counter({ name: 'freshen_test_total', help: 'test', registers: [registry] }).inc(3);
    let ready = false;
    const server = await startOpsServer({
      port: 0,
      host: '127.0.0.1',
      registry,
      health: () => ({ ok: true }),
      ready: () => ({ ok: ready, details: { kafka: ready ? 'connected' : 'connecting' } }),
    });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      expect(await (await fetch(`${base}/metrics`)).text()).toContain('freshen_test_total 3');
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const notReady = await fetch(`${base}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toEqual({ ok: false, details: { kafka: 'connecting' } });
      expect(await (await fetch(`${base}/metrics`)).text()).toContain('freshen_service_ready 0');
      ready = true;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect(await (await fetch(`${base}/metrics`)).text()).toContain('freshen_service_ready 1');
    } finally {
      await server.close();
    }
  });
});
