import { Counter, type Registry } from 'prom-client';

/**
 * A label-free prom-client Counter for a path taken on every read. `inc()` adds one to a plain
 * number, and the Counter takes the tally when it is collected (a scrape, or `get()`), so what
 * is exposed is always complete. prom-client's own `inc()` builds and hashes a labels object on
 * every call: too much for a near hit, which costs well under a microsecond, and a few percent
 * at most of a Redis hit (bench:cache).
 */
export class TallyCounter {
  private readonly counter: Counter;
  private pending = 0;

  constructor(options: { name: string; help: string; registry: Registry }) {
    this.counter = new Counter({
      name: options.name,
      help: options.help,
      registers: [options.registry],
      collect: () => {
        if (this.pending === 0) return;
        this.counter.inc(this.pending);
        this.pending = 0;
      },
    });
  }

  inc(): void {
    this.pending++;
  }

  get(): ReturnType<Counter['get']> {
    return this.counter.get();
  }
}
