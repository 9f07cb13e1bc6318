import { Counter, Histogram, type Registry } from 'prom-client';

/** Request metrics; `route` is the route pattern (a small fixed set), never the raw path. */
export class ApiMetrics {
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'method' | 'route'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'freshen_api_requests_total',
      help: 'HTTP requests answered, by route pattern and status class (2xx, 4xx, 5xx).',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'freshen_api_request_duration_seconds',
      help: 'Time to answer a request.',
      labelNames: ['method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
  }
}
