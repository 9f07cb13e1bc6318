import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import {
  newPgClient,
  newSchema,
  stackSettings,
  uniqueName,
  useCleanup,
  waitFor,
} from '../../src/index.ts';

const cleanup = useCleanup();

describe('stack: Postgres logical replication', () => {
  it('streams an INSERT from a fresh pgoutput slot through pg-logical-replication', async () => {
    const db = await newPgClient(cleanup);
    const schema = await newSchema(cleanup, db, 'smoke');
    const slot = uniqueName('smoke');
    await db.query(`create table ${schema}.users (id bigint primary key, email text not null)`);
    await db.query(`create publication ${slot} for table ${schema}.users`);
    await db.query(`select pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
    // Closed after the replication connection below (cleanup runs last-in, first-out).
    cleanup.add(`drop slot ${slot}`, async () => {
      await db.query('select pg_drop_replication_slot($1)', [slot]);
      await db.query(`drop publication ${slot}`);
    });

    const service = new LogicalReplicationService(
      { connectionString: stackSettings().databaseUrl },
      { acknowledge: { auto: false, timeoutSeconds: 0 } },
    );
    cleanup.add('replication', () => service.stop());
    const inserts: Pgoutput.MessageInsert[] = [];
    service.on('data', (_lsn: string, message: Pgoutput.Message) => {
      if (message.tag === 'insert') inserts.push(message);
    });
    service.on('error', () => {});
    void service.subscribe(new PgoutputPlugin({ protoVersion: 1, publicationNames: [slot] }), slot);

    await db.query(`insert into ${schema}.users values (42, 'ada@example.com')`);
    await waitFor(() => inserts.length > 0, { description: 'the INSERT to arrive' });
    expect(inserts[0]!.relation.name).toBe('users');
    expect(inserts[0]!.new).toEqual({ id: '42', email: 'ada@example.com' });
  });
});
