import { readFileSync } from 'node:fs';
import { createServiceRegistry } from '../../src/index.ts';

const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

describe('createServiceRegistry', () => {
  it('exposes the process and Node.js default metrics and freshen_build_info', async () => {
    const text = await createServiceRegistry('invalidator').metrics();
    expect(text).toContain(
      `freshen_build_info{version="${version}",service="invalidator",node="${process.version}"} 1`,
    );
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(text).toContain(`\n${name}`);
    }
  });

  it('gives each service its own registry (several run in one test process)', async () => {
    const reader = createServiceRegistry('cdc-reader');
    const api = createServiceRegistry('example-api');
    expect(reader).not.toBe(api);
    expect(await reader.metrics()).toContain('service="cdc-reader"');
    expect(await api.metrics()).not.toContain('service="cdc-reader"');
  });
});
