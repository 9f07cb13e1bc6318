import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthReport {
  ok: boolean;
  /** Short machine-readable reasons, e.g. `{ kafka: 'connected', slot: 'streaming' }`. */
  details?: Record<string, unknown>;
}

export interface OpsServerOptions {
  /** Port to listen on; 0 picks a free one (tests). */
  port: number;
  host?: string;
  registry: Registry;
  /** Liveness: false only when the process is wedged and should be restarted. */
  health: () => HealthReport;
  /** Readiness: true when the component is doing its job (connected, streaming/consuming). */
  ready: () => HealthReport;
}

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `/metrics` (Prometheus text), `/healthz` and `/readyz` (JSON, 200 or 503). */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const sendReport = (report: HealthReport) => {
      response.writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json' });
      response.end(JSON.stringify(report));
    };
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': options.registry.contentType });
          response.end(text);
        },
        (error: unknown) => {
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end(`metrics failed: ${(error as Error).message}`);
        },
      );
    } else if (path === '/healthz') {
      sendReport(options.health());
    } else if (path === '/readyz') {
      sendReport(options.ready());
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found; try /metrics, /healthz or /readyz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
