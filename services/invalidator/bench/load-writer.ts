// Paced writer for the latency benchmark, in its own process so its event loop does not
// delay the invalidator's: single-row UPDATE transactions at a steady offered rate.
// Usage: node load-writer.ts '{"databaseUrl":..., "table":"s.items", "rows":10000, "tps":2000, "seconds":60}'
import pg from 'pg';

const { databaseUrl, table, rows, tps, seconds } = JSON.parse(process.argv[2]!) as {
  databaseUrl: string;
  table: string;
  rows: number;
  tps: number;
  seconds: number;
};
const CONNECTIONS = 8;
const TICK_MS = 2;

const pool = new pg.Pool({ connectionString: databaseUrl, max: CONNECTIONS });
const sql = `update ${table} set v = v + 1 where id = $1`;
// Warm every connection (and its prepared statement) before the clock starts.
await Promise.all(
  Array.from({ length: CONNECTIONS }, (_, n) =>
    pool.query({ name: 'bump', text: sql, values: [n + 1] }),
  ),
);

let issued = 0;
let committed = 0;
let inFlight = 0;
const total = tps * seconds;
const started = performance.now();
await new Promise<void>((resolve) => {
  const tick = () => {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * tps));
    // Never queue more than the pool can run: a writer that falls behind shows up as achievedTps < offered.
    while (issued < due && inFlight < CONNECTIONS * 4) {
      issued++;
      inFlight++;
      pool.query({ name: 'bump', text: sql, values: [1 + (issued % rows)] }).then(() => {
        committed++;
        inFlight--;
      });
    }
    if (committed >= total || performance.now() - started > (seconds + 10) * 1000) resolve();
    else setTimeout(tick, TICK_MS);
  };
  tick();
});
const elapsed = (performance.now() - started) / 1000;
await pool.end();
process.stdout.write(
  JSON.stringify({ committed, seconds: elapsed, achievedTps: committed / elapsed }),
);
