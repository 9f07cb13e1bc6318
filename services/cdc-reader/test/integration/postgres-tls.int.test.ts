import {
  generateTestCertificates,
  stackSettings,
  startPrivatePostgres,
  uniqueName,
  useCleanup,
  waitFor,
  type PrivatePostgres,
  type TestCertificates,
} from '@freshen/test-kit';
import pg from 'pg';
import { collectEvents } from '../helpers/collect-events.ts';
import { spawnReader, waitForRole } from '../helpers/reader-process.ts';

// The reader against a Postgres that accepts TLS connections only, as managed services do,
// with sslmode=verify-full and the CA in sslrootcert (the libpq parameters, in DATABASE_URL).
const cleanup = useCleanup();
let certificates: TestCertificates;

beforeAll(async () => {
  certificates = await generateTestCertificates(cleanup);
});

/** A table and a publication on `postgres`, and the reader's environment for them. */
async function prepare(postgres: PrivatePostgres, databaseUrl = postgres.url) {
  const setup = new pg.Client({ connectionString: postgres.url });
  await setup.connect();
  const name = uniqueName('rdr_tls');
  await setup.query('create table if not exists items (id int primary key)');
  await setup.query(`create publication ${name} for table items`);
  await setup.end();
  return {
    name,
    env: {
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: stackSettings().kafkaBrokers.join(','),
      SLOT_NAME: name,
      PUBLICATION_NAME: name,
      TOPIC_PREFIX: name,
      TOPIC_PARTITIONS: '1',
    },
  };
}

/** The reader's error lines once it gives up (or after 20 s of retrying). */
async function errorLines(env: Record<string, string>): Promise<string[]> {
  const reader = await spawnReader(cleanup, env);
  const errors = () =>
    reader
      .output()
      .split('\n')
      .filter((line) => /"level":(50|60)/.test(line))
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
  await waitFor(() => errors().length > 0, {
    timeoutMs: 20_000,
    description: `an error line (output: ${reader.output().slice(-2000)})`,
  });
  return errors();
}

describe('cdc-reader on a TLS-only Postgres', () => {
  let postgres: PrivatePostgres;
  beforeAll(async () => {
    postgres = await startPrivatePostgres(cleanup, {}, { tls: { certificates } });
  });

  it('streams a change with sslmode=verify-full (replication and queries)', async () => {
    expect(postgres.url).toMatch(/sslmode=verify-full&sslrootcert=/);
    const { name, env } = await prepare(postgres);
    const events = await collectEvents(
      cleanup,
      stackSettings().kafkaBrokers,
      `${name}.public.items`,
    );
    const reader = await spawnReader(cleanup, env);
    await waitForRole(reader, 'streaming');
    const writer = new pg.Client({ connectionString: postgres.url });
    await writer.connect();
    const check = await writer.query<{ ssl: boolean }>(
      'select ssl from pg_stat_ssl where pid = pg_backend_pid()',
    );
    expect(check.rows[0]!.ssl).toBe(true);
    const id = Math.floor(Math.random() * 1e9);
    await writer.query('insert into items values ($1)', [id]);
    await writer.end();
    await waitFor(() => events.some((event) => event.key.id === id), {
      description: 'the inserted row in Kafka',
    });
  });

  it('refuses a server certificate no trusted CA signed, in one line', async () => {
    const untrusted = postgres.url.replace(
      encodeURIComponent(certificates.ca.certFile),
      encodeURIComponent(certificates.untrusted.ca.certFile),
    );
    const { env } = await prepare(postgres, untrusted);
    const errors = await errorLines(env);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /Postgres at localhost:\d+ presented a TLS certificate that no trusted authority signed \(\w+\): set sslrootcert in DATABASE_URL to the PEM file/,
    );
  });

  it('refuses a certificate for another host name, in one line', async () => {
    const wrongHost = await startPrivatePostgres(
      cleanup,
      {},
      {
        tls: { certificates, serverCertificate: certificates.wrongHost },
      },
    );
    // The helper's own URL would fail the same way; its setup connection skips the name check.
    const lenient = wrongHost.url.replace('sslmode=verify-full', 'sslmode=no-verify');
    const { env } = await prepare({ ...wrongHost, url: lenient }, wrongHost.url);
    const errors = await errorLines(env);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /Postgres at localhost:\d+ presented a TLS certificate for another host name \(localhost is not among DNS:wrong\.example\)/,
    );
  });
});
