import { dropSlotAndPublication } from '@freshen/harness';
import { isFreshenError } from '@freshen/runtime';
import { uniqueName, useCleanup } from '@freshen/test-kit';
import { startReader } from '../../src/reader.ts';
import { quietLogger } from '../helpers/quiet-logger.ts';
import { readerTest } from '../helpers/reader-harness.ts';

const cleanup = useCleanup();

describe('cdc-reader: slot faults', () => {
  it('stops with SLOT_MISSING naming the slot when it is dropped underneath, and never re-creates it', async () => {
    const t = await readerTest(cleanup, ['create table $schema.items (id int primary key)']);
    const reader = await t.start();
    const done = reader.done.then(
      () => undefined,
      (error: unknown) => error,
    );
    await dropSlotAndPublication(t.db, t.slot);
    await t.db.query(`create publication ${t.slot} for tables in schema ${t.schema}`);
    await t.db.query(`comment on publication ${t.slot} is 'freshen-cdc-reader slot ${t.slot}'`);
    const error = await done;
    expect(isFreshenError(error, 'SLOT_MISSING')).toBe(true);
    expect((error as Error).message).toContain(t.slot);
    await reader.close(); // as runService does after a fatal error; releases the slot lock

    // A restart refuses too: the marker says the slot existed, so re-creating it would hide a loss.
    // (startReader rejects when the failure comes before the reader is standby or streaming.)
    const second = await startReader(t.config(), quietLogger)
      .then((again) => {
        cleanup.add('second reader', () => again.close());
        return again.done;
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isFreshenError(second, 'SLOT_MISSING')).toBe(true);
    const slots = await t.db.query('select 1 from pg_replication_slots where slot_name = $1', [
      t.slot,
    ]);
    expect(slots.rowCount).toBe(0);
  });

  it('gives up on an unreachable Kafka at start with KAFKA_UNAVAILABLE naming the brokers', async () => {
    const t = await readerTest(cleanup, []);
    const failure = await startReader(
      t.config({ KAFKA_BROKERS: '127.0.0.1:1', KAFKA_CONNECT_ATTEMPTS: '1' }),
      quietLogger,
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isFreshenError(failure, 'KAFKA_UNAVAILABLE')).toBe(true);
    expect((failure as Error).message).toContain('127.0.0.1:1');
  });

  it('refuses to start with PRIVILEGE_MISSING and the ALTER ROLE fix when the role may not replicate', async () => {
    const t = await readerTest(cleanup, ['create table $schema.items (id int primary key)']);
    const role = uniqueName('rdr_norepl');
    await t.db.query(`create role ${role} login noreplication`);
    cleanup.add(`drop role ${role}`, () => t.db.query(`drop role if exists ${role}`));
    const url = new URL(t.env.DATABASE_URL!);
    url.username = role;

    const outcome = await startReader(t.config({ DATABASE_URL: url.toString() }), quietLogger).then(
      async (reader) => {
        cleanup.add('unprivileged reader', () => reader.close());
        return reader.done.then(
          () => undefined,
          (e: unknown) => e,
        );
      },
      (e: unknown) => e,
    );
    expect(isFreshenError(outcome, 'PRIVILEGE_MISSING')).toBe(true);
    expect((outcome as Error).message).toContain(`ALTER ROLE "${role}" REPLICATION`);
    const slots = await t.db.query('select 1 from pg_replication_slots where slot_name = $1', [
      t.slot,
    ]);
    expect(slots.rowCount).toBe(0);
  });
});
