import { useCleanup, waitFor } from '@freshen/test-kit';
import { startReader } from '../../src/reader.ts';
import { readerTest, type ReaderTest } from '../helpers/reader-harness.ts';
import { quietLogger } from '../helpers/quiet-logger.ts';

const cleanup = useCleanup();

/** One column per type whose text form JavaScript's default parsers would change. */
const COLUMNS: [name: string, type: string, value: string][] = [
  ['tstz', 'timestamptz', `'2026-12-01 18:08:20.660493+00'`],
  ['ts', 'timestamp', `'2026-12-01 18:08:20.660493'`],
  ['num', 'numeric', `'12345678901234567890.000000000001'`],
  ['big', 'int8', `'9007199254740993'`],
  ['dbl', 'float8', `'0.1'`],
  ['js', 'json', `'{"n": 12345678901234567890, "b": [1, 2]}'`],
  ['jsb', 'jsonb', `'{"n": 12345678901234567890}'`],
  ['bin', 'bytea', `'\\xdeadbeef'`],
  ['ints', 'int4[]', `'{1,2,3}'`],
  ['texts', 'text[]', `'{"a b",c}'`],
  ['iv', 'interval', `'1 day 02:03:04.000005'`],
  ['id2', 'uuid', `'6f1c2c64-4f0e-4c59-9a55-5a1b8a1e7b1d'`],
  ['mood', '$schema.mood', `'happy'`],
  ['price', '$schema.positive', `'19.990'`],
];

const TYPES_DDL = [
  `create type $schema.mood as enum ('sad', 'happy')`,
  `create domain $schema.positive as numeric check (value > 0)`,
];

function tableDdl(table: string, identity: 'full' | 'default'): string[] {
  const columns = COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ');
  return [
    `create table $schema.${table} (id int primary key, ${columns})`,
    `alter table $schema.${table} replica identity ${identity}`,
  ];
}

/** What `col::text` returns under the reader's pinned session settings. */
async function textForms(
  t: ReaderTest,
  table: string,
  id: number,
): Promise<Record<string, string>> {
  await t.db.query(
    `set timezone = 'UTC'; set datestyle = 'ISO'; set intervalstyle = 'postgres'; set extra_float_digits = 3`,
  );
  const selected = COLUMNS.map(([name]) => `${name}::text as ${name}`).join(', ');
  const { rows } = await t.db.query<Record<string, string>>(
    `select ${selected} from ${t.schema}.${table} where id = $1`,
    [id],
  );
  return rows[0]!;
}

async function insertRow(t: ReaderTest, table: string, id: number): Promise<void> {
  const values = COLUMNS.map(([, , value]) => value).join(', ');
  await t.db.query(`insert into ${t.schema}.${table} values (${id}, ${values})`);
}

describe('cdc-reader: the first events of a session carry Postgres text (regression: FULL tables decoded with default parsers while their primary key was looked up)', () => {
  it('sends every column in its text form from the first event after a start and after a failover, on FULL and DEFAULT tables', async () => {
    const t = await readerTest(cleanup, [
      ...TYPES_DDL,
      ...tableDdl('full_types', 'full'),
      ...tableDdl('default_types', 'default'),
    ]);
    const full = await t.collect('full_types', 1);
    const plain = await t.collect('default_types', 1);
    // The session's first messages for each table: relation, then the row.
    const active = await t.start();
    await insertRow(t, 'full_types', 1);
    await insertRow(t, 'default_types', 1);
    await waitFor(() => full.length === 1 && plain.length === 1, { description: 'first events' });

    // Failover: a standby takes the slot and starts a fresh session with fresh relations.
    const standby = await startReader(t.config(), quietLogger);
    cleanup.add('standby reader', () => standby.close());
    await waitFor(() => standby.role === 'standby', { description: 'standby waiting' });
    await active.close();
    await waitFor(() => standby.role === 'streaming', { description: 'standby took over' });
    await insertRow(t, 'full_types', 2);
    await insertRow(t, 'default_types', 2);
    await waitFor(() => full.some((e) => e.key.id === 2) && plain.some((e) => e.key.id === 2), {
      description: 'first events after the failover',
    });

    for (const [table, events] of [
      ['full_types', full],
      ['default_types', plain],
    ] as const) {
      for (const id of [1, 2]) {
        const event = events.find((e) => e.key.id === id)!;
        expect(event.key).toEqual({ id });
        const { id: _id, ...values } = event.new!;
        expect({ table, id, values }).toEqual({ table, id, values: await textForms(t, table, id) });
      }
    }
  });
});
