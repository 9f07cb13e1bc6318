import {
  newKafkaAdmin,
  stackSettings,
  startPrivatePostgres,
  uniqueName,
  useCleanup,
  waitFor,
} from '@freshen/test-kit';
import pg from 'pg';
import { collectEvents } from '../helpers/collect-events.ts';
import { spawnReader, waitForRole, type ReaderProcess } from '../helpers/reader-process.ts';

const cleanup = useCleanup();
/** Restarts per run; each one gives a recovery figure. */
const RESTARTS = Number(process.env.PG_RESTARTS ?? 2);

/** Inserts rows one transaction at a time until stopped, riding out the restart. */
function startWriter(url: string) {
  let stopped = false;
  let next = 1;
  let client: pg.Client | undefined;
  const done = (async () => {
    while (!stopped) {
      try {
        if (!client) {
          client = new pg.Client({ connectionString: url });
          client.on('error', () => {});
          await client.connect();
        }
        await client.query('insert into items values ($1)', [next]);
        next++;
      } catch {
        // Lost with the restart: whether that row committed is settled at the end by reading the table.
        await client?.end().catch(() => {});
        client = undefined;
        next++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    await client?.end().catch(() => {});
  })();
  return {
    get next() {
      return next;
    },
    async stop() {
      stopped = true;
      await done;
    },
  };
}

// Regression (issue 10): `pg_ctl restart -m immediate` made the active reader and the standby
// both exit 1 with POSTGRES_UNAVAILABLE "lost the connection holding the lock".
describe('cdc-reader: a Postgres restart does not stop the pipeline (issue 10)', () => {
  it('reconnects, re-takes the lock and resumes from the slot without a process restart, losing nothing', async () => {
    const postgres = await startPrivatePostgres(cleanup);
    const setup = new pg.Client({ connectionString: postgres.url });
    setup.on('error', () => {}); // dies with the restart; the check at the end uses a new one
    await setup.connect();
    const name = uniqueName('rdr_pgr');
    await setup.query('create table items (id int primary key)');
    await setup.query(`create publication ${name} for table items`);
    await setup.end();

    const brokers = stackSettings().kafkaBrokers;
    const topic = `${name}.public.items`;
    const admin = await newKafkaAdmin(cleanup);
    const events = await collectEvents(cleanup, brokers, topic);
    cleanup.add(`delete topic ${topic}`, () => admin.deleteTopics({ topics: [topic] }));
    const env = {
      DATABASE_URL: postgres.url,
      KAFKA_BROKERS: brokers.join(','),
      SLOT_NAME: name,
      PUBLICATION_NAME: name,
      TOPIC_PREFIX: name,
      TOPIC_PARTITIONS: '3',
      LOCK_POLL_MS: '200',
    };
    const first = await spawnReader(cleanup, env);
    await waitForRole(first, 'streaming');
    const second = await spawnReader(cleanup, env);
    await waitForRole(second, 'standby');
    const exited: string[] = [];
    for (const reader of [first, second])
      void reader.exit.then((code) => exited.push(`reader ${reader.pid} exited ${code}`));

    const writer = startWriter(postgres.url);
    const ids = () => new Set(events.map((event) => event.key.id as number));
    await waitFor(() => ids().size >= 100, { description: '100 rows before the restart' });

    const figures: string[] = [];
    for (let restart = 1; restart <= RESTARTS; restart++) {
      await postgres.restartImmediate();
      const acceptingAt = Date.now();
      const firstAfter = writer.next;
      await waitFor(() => [...ids()].some((id) => id >= firstAfter), {
        timeoutMs: 30_000,
        description: `a row written after restart ${restart} in Kafka (${exited.join('; ') || 'both readers running'})`,
      });
      figures.push(
        `restart ${restart}: first change published ${Date.now() - acceptingAt} ms after Postgres accepted connections`,
      );
    }
    await writer.stop();

    const check = new pg.Client({ connectionString: postgres.url });
    await check.connect();
    const committed = (await check.query<{ id: number }>('select id from items')).rows.map(
      (row) => row.id,
    );
    await check.end();
    const missing = () => committed.filter((id) => !ids().has(id));
    await waitFor(() => missing().length === 0, {
      timeoutMs: 30_000,
      description: `all ${committed.length} committed rows in Kafka`,
    }).catch(() => {});
    // The reader that lost the race for the lock may still be between two reconnect attempts.
    const rolesNow = async () =>
      (await Promise.all([first, second].map((reader: ReaderProcess) => reader.role()))).sort();
    const roles = await waitFor(
      async () => {
        const now = await rolesNow();
        return now.join() === 'standby,streaming' && now;
      },
      { timeoutMs: 10_000, description: 'one reader streaming, one standby' },
    ).catch(rolesNow);
    if (missing().length > 0 || exited.length > 0 || roles.join() !== 'standby,streaming')
      console.log(
        `roles ${roles.join()}; ${exited.join('; ')}; ` +
          `missing ${missing().length} rows (${missing().slice(0, 20).join(',')}); reader output:\n${first.output().slice(-6000)}\n---\n${second.output().slice(-6000)}`,
      );
    expect(missing()).toEqual([]);
    expect(exited).toEqual([]);
    expect(roles).toEqual(['standby', 'streaming']);
    console.log(`${figures.join('\n')}\n(${committed.length} committed rows, all delivered)`);
  });
});
