import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gauge, type Registry } from 'prom-client';
import { StatusHistory, type StatusFigure } from './status/status-history.ts';

export interface HealthReport {
  ok: boolean;
  /** Short machine-readable reasons, e.g. `{ kafka: 'connected', slot: 'streaming' }`. */
  details?: Record<string, unknown>;
}

export interface OpsServerOptions {
  /** Port to listen on; 0 picks a free one (tests). */
  port: number;
  /**
   * Address to bind (OPS_HOST). Default 0.0.0.0, all IPv4 interfaces: in a container the
   * orchestrator's probes and Prometheus come from outside, so a loopback default would fail
   * them. Set 127.0.0.1 on a shared host, or :: for IPv6.
   */
  host?: string;
  registry: Registry;
  /** Liveness: false only when the process is wedged and should be restarted. */
  health: () => HealthReport;
  /** Readiness: true when the component is doing its job (connected, streaming/consuming). */
  ready: () => HealthReport;
  /**
   * The status page at `/` (for people without Grafana): the service's name and the figures it
   * shows, sampled from `registry` and kept for the last minutes. Without it `/` is 404.
   */
  status?: {
    service: string;
    figures: readonly StatusFigure[];
    /** Default STATUS_SAMPLE_INTERVAL (tests sample faster). */
    sampleIntervalMs?: number;
  };
}

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The status page: one static file; its script reads /status.json. Read on the first request,
 * not at import: applications import this package (through @freshen/cache) and never serve it.
 */
let statusPage: string | undefined;
const readStatusPage = () =>
  (statusPage ??= readFileSync(new URL('./status/status-page.html', import.meta.url), 'utf8'));

/** Every endpoint only reads; anything else is refused with 405 and the methods it allows. */
const ALLOWED_METHODS = 'GET, HEAD';

/**
 * Serves `/metrics` (Prometheus text), `/healthz` and `/readyz` (JSON, 200 or 503) to GET and
 * HEAD; other methods get 405 with an `Allow` header.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  registerReadyGauge(options);
  const history =
    options.status &&
    new StatusHistory(options.registry, options.status.figures, options.status.sampleIntervalMs);
  history?.start();
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: ALLOWED_METHODS, 'content-type': 'text/plain' });
      response.end(`method ${request.method} not allowed; use ${ALLOWED_METHODS}\n`);
      return;
    }
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
    } else if (options.status && history && path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(readStatusPage());
    } else if (options.status && history && path === '/status.json') {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(
        JSON.stringify({
          service: options.status.service,
          ready: options.ready(),
          health: options.health(),
          figures: options.status.figures,
          history: history.snapshot(),
        }),
      );
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
        options.registry.removeSingleMetric(READY_METRIC);
        history?.stop();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

const READY_METRIC = 'freshen_service_ready';

/**
 * `freshen_service_ready`: what /readyz answers, as 1 or 0, read at scrape time. Every service
 * has it under one name, so one alert rule covers "a service is not ready".
 */
function registerReadyGauge(options: OpsServerOptions): void {
  options.registry.removeSingleMetric(READY_METRIC);
  new Gauge({
    name: READY_METRIC,
    help: '1 while /readyz answers 200, 0 while it answers 503 (read at scrape time).',
    registers: [options.registry],
    collect() {
      this.set(options.ready().ok ? 1 : 0);
    },
  });
}
