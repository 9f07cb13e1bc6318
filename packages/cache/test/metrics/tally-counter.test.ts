import { Registry } from 'prom-client';
import { TallyCounter } from '../../src/metrics/tally-counter.ts';

describe('TallyCounter', () => {
  it('exposes every increment at each scrape, counting none twice', async () => {
    const registry = new Registry();
    const reads = new TallyCounter({ name: 'reads_total', help: 'help text', registry });
    for (let i = 0; i < 3; i++) reads.inc();
    expect(await registry.metrics()).toContain('reads_total 3');
    expect(await registry.metrics()).toContain('reads_total 3');
    reads.inc();
    expect((await reads.get()).values).toEqual([{ value: 4, labels: {} }]);
    expect(await registry.metrics()).toContain('reads_total 4');
  });
});
