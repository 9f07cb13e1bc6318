import { exposedNames, runHttpWorkload, startExampleRun } from '@freshen/harness';
import { SECOND } from '@freshen/runtime';
import { stackSettings, uniqueName, useCleanup } from '@freshen/test-kit';
import { alertExpressions, dashboardQueries, metricNamesIn } from '../src/index.ts';

const cleanup = useCleanup();

/**
 * Issue 14: a dashboard panel or an alert over a metric no service exposes shows nothing and
 * never fires. Runs the pipeline with the example API, scrapes each service once traffic went
 * through, and looks up every metric the dashboard and the alert rules name.
 */
it('every metric named by the dashboard and the alert rules is exposed by a running service', async () => {
  const { fixture, pipeline, api, apiPort } = await startExampleRun(cleanup, {
    stack: stackSettings(),
    name: uniqueName('exposed'),
    size: { users: 20, teams: 2, products: 5 },
  });

  // A little traffic, so the cache and the invalidator have observed something.
  const counts = { reads: 0, writes: 0, errors: 0 };
  const stop = AbortSignal.timeout(2 * SECOND);
  await runHttpWorkload({
    baseUrl: `http://127.0.0.1:${apiPort}`,
    fixture,
    readers: 2,
    writers: 1,
    pauseMs: 20,
    signal: stop,
    counts,
  }).catch((error: unknown) => {
    if (!stop.aborted) throw error;
  });
  expect(counts.reads).toBeGreaterThan(0);
  await pipeline.waitForDrain();

  const exposed = new Map<string, Set<string>>();
  for (const service of [pipeline.reader, pipeline.invalidator, api]) {
    const text = await (await fetch(`http://127.0.0.1:${service.metricsPort}/metrics`)).text();
    exposed.set(service.name, exposedNames(text));
  }
  const anywhere = new Set([...exposed.values()].flatMap((names) => [...names]));
  // The scrape itself is sound: each service's own figures, and the shared ones everywhere.
  expect(anywhere).toContain('freshen_reader_active');
  expect(anywhere).toContain('freshen_invalidator_events_total');
  expect(anywhere).toContain('freshen_cache_read_duration_seconds_bucket');
  for (const names of exposed.values()) {
    for (const shared of [
      'freshen_build_info',
      'freshen_service_ready',
      'process_resident_memory_bytes',
    ])
      expect(names).toContain(shared);
  }
  expect(exposed.get('invalidator')).toContain('freshen_redis_used_memory_bytes');

  // Each service's status page shows figures of metrics it exposes.
  for (const service of [pipeline.reader, pipeline.invalidator, api]) {
    const status = (await (
      await fetch(`http://127.0.0.1:${service.metricsPort}/status.json`)
    ).json()) as { service: string; figures: { metric: string; kind: string }[] };
    expect(service.name).toBe(status.service);
    const names = exposed.get(service.name)!;
    const unknown = status.figures
      .map(({ metric, kind }) => (kind === 'mean' ? `${metric}_sum` : metric))
      .filter((metric) => !names.has(metric));
    expect({ service: service.name, unknown }).toEqual({ service: service.name, unknown: [] });
  }

  const named = [
    ...dashboardQueries().map(({ panel, expr }) => ({ where: `dashboard panel "${panel}"`, expr })),
    ...alertExpressions().map(({ alert, expr }) => ({ where: `alert ${alert}`, expr })),
  ];
  const missing = named.flatMap(({ where, expr }) =>
    metricNamesIn(expr)
      .filter((metric) => !anywhere.has(metric))
      .map((metric) => `${where} names ${metric}, which no service exposes`),
  );
  expect(missing).toEqual([]);
  expect(named.length).toBeGreaterThan(30);
}, 180_000);
