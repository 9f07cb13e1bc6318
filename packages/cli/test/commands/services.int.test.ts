import { dropSlotAndPublication, findRepoRoot, spawnService } from '@freshen/harness';
import { freePort, SECOND } from '@freshen/runtime';
import {
  newPgClient,
  newSchema,
  notYet,
  stackSettings,
  uniqueName,
  useCleanup,
  waitFor,
} from '@freshen/test-kit';
import { freshenBin, runFreshen } from '../run-freshen.ts';

jest.setTimeout(120 * SECOND);
const cleanup = useCleanup();

it('freshen reader runs the cdc-reader: it streams its slot, shows in status, and drains on SIGTERM', async () => {
  const { databaseUrl, kafkaBrokers, redisUrl } = stackSettings();
  const db = await newPgClient(cleanup);
  const schema = await newSchema(cleanup, db, 'clisvc');
  await db.query(`create table ${schema}.items (id int primary key, name text)`);
  const name = uniqueName('clisvc');
  cleanup.add('slot and publication', () => dropSlotAndPublication(db, name));
  const env = {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: kafkaBrokers.join(','),
    REDIS_URL: redisUrl,
    SLOT_NAME: name,
    PUBLICATION_NAME: name,
    PUBLICATION_TABLES: `${schema}.items`,
    TOPIC_PREFIX: name,
    LOG_LEVEL: 'warn',
  };
  const reader = spawnService({
    name: 'freshen reader',
    main: freshenBin,
    args: ['reader'],
    cwd: findRepoRoot(),
    env,
    inheritEnv: false,
    metricsPort: await freePort(),
  });
  cleanup.add('reader', () => reader.stop());
  await waitFor(
    async () => {
      const report = await reader.readiness();
      return report?.ok === true && report.details?.role !== 'standby'
        ? true
        : notYet(`${JSON.stringify(report)} ${reader.output().slice(-500)}`);
    },
    { timeoutMs: 60 * SECOND, description: 'freshen reader to stream' },
  );
  const slot = await db.query<{ active: boolean }>(
    'select active from pg_replication_slots where slot_name = $1',
    [name],
  );
  expect(slot.rows[0]?.active).toBe(true);
  const status = JSON.parse(
    (await runFreshen(['status', '--json', '--interval-ms', '200'], env)).stdout,
  );
  expect(status.slots[0]).toMatchObject({
    slot: name,
    active: true,
    readers: { active: 1, standby: 0 },
  });
  expect(await reader.stop()).toBe(0);
});
