import { readFileSync } from 'node:fs';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** The Freshen services; the `service` label of freshen_build_info takes only these values. */
export type ServiceName = 'cdc-reader' | 'invalidator' | 'example-api';

/**
 * The Freshen release: every workspace package carries the same version, so the runtime's own
 * package.json says which release a process runs.
 */
const FRESHEN_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/**
 * A service's prom-client registry with what every service exposes: prom-client's process and
 * Node.js default metrics (CPU, RSS, heap, event-loop lag, GC) and `freshen_build_info`
 * (always 1; its labels say which release, service and Node.js answer the scrape, so a
 * dashboard can join on it). Each call makes a new registry: tests run several services in
 * one process, each with its own.
 */
export function createServiceRegistry(service: ServiceName): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'freshen_build_info',
    help: 'Always 1; version: Freshen release, service: which service, node: Node.js version.',
    labelNames: ['version', 'service', 'node'] as const,
    registers: [registry],
  }).set({ version: FRESHEN_VERSION, service, node: process.version }, 1);
  return registry;
}
