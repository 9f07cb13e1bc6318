import { createLogger } from '@freshen/runtime';
import { stackSettings, uniqueName, useCleanup } from '@freshen/test-kit';
import pg from 'pg';
import { PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import { ChangeDecoder, type Decoded } from '../../src/decoding/change-decoder.ts';
import { RowMessageParser } from '../../src/decoding/row-message-parser.ts';
import { useWireParsers } from '../../src/decoding/value-parsers.ts';

const cleanup = useCleanup();

/** A small seeded PRNG (mulberry32), so a failure can be replayed from the printed seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const int = (rand: Rand, low: number, high: number) => low + Math.floor(rand() * (high - low + 1));

/** Text that exercises JSON escaping and UTF-8: quotes, backslashes, controls, astral and combining characters. */
function text(rand: Rand, maxLength = 40): string {
  const pieces = [
    'a',
    'Z',
    ' ',
    '"',
    '\\',
    '\n',
    '\t',
    '\u0001',
    '\u001f',
    'é',
    'ß',
    '中',
    '😀',
    'e\u0301',
    '\u2028',
    '/',
    "'",
  ];
  let result = '';
  for (let i = int(rand, 0, maxLength); i > 0; i--) result += pick(rand, pieces);
  return result;
}

/** Every column type the reader supports, with a generator of SQL literals (or NULL). */
const TYPES: [type: string, literal: (rand: Rand) => string][] = [
  ['int2', (r) => String(int(r, -32768, 32767))],
  ['int4', (r) => String(int(r, -2147483648, 2147483647))],
  [
    'int8',
    (r) =>
      pick(r, [
        '9223372036854775807',
        '-9223372036854775808',
        `${pick(r, ['-', ''])}${int(r, 0, 999_999)}${int(r, 0, 999_999_999_999)}`,
      ]),
  ],
  ['oid', (r) => String(int(r, 0, 4294967295))],
  ['bool', (r) => pick(r, ['true', 'false'])],
  ['numeric', (r) => `${int(r, -1e9, 1e9)}.${int(r, 0, 1e9)}`],
  ['float4', (r) => pick(r, [String(r() * 1e6), "'NaN'", "'Infinity'", '0.1', '-0'])],
  ['float8', (r) => pick(r, [String(r() * 1e300), "'-Infinity'", '0.1', '1e-300'])],
  ['text', (r) => pg.Client.prototype.escapeLiteral(text(r))],
  ['varchar(60)', (r) => `${pg.Client.prototype.escapeLiteral(text(r, 20))}::varchar(60)`],
  ['char(3)', (r) => `${pg.Client.prototype.escapeLiteral(text(r, 3))}::char(3)`],
  ['bytea', (r) => `'\\x${Buffer.from(text(r, 8)).toString('hex')}'`],
  ['json', (r) => pg.Client.prototype.escapeLiteral(JSON.stringify({ s: text(r, 8), n: r() }))],
  [
    'jsonb',
    // A number beyond a double's precision, which only a text form keeps.
    (r) =>
      pg.Client.prototype.escapeLiteral(`[${JSON.stringify(text(r, 5))}, 12345678901234567890]`),
  ],
  ['uuid', () => `'${crypto.randomUUID()}'`],
  [
    'date',
    (r) => `'${String(int(r, 1, 9999)).padStart(4, '0')}-0${int(r, 1, 9)}-1${int(r, 0, 9)}'`,
  ],
  ['time', (r) => `'${int(r, 10, 23)}:${int(r, 10, 59)}:${int(r, 10, 59)}.${int(r, 0, 999999)}'`],
  ['timetz', (r) => `'${int(r, 10, 23)}:${int(r, 10, 59)}:00+0${int(r, 0, 9)}'`],
  [
    'timestamp',
    (r) => `'20${int(r, 10, 99)}-0${int(r, 1, 9)}-1${int(r, 0, 9)} 12:34:56.${int(r, 0, 999999)}'`,
  ],
  [
    'timestamptz',
    (r) =>
      `'20${int(r, 10, 99)}-0${int(r, 1, 9)}-1${int(r, 0, 9)} 12:34:56.${int(r, 0, 999999)}+0${int(r, 0, 9)}'`,
  ],
  ['interval', (r) => `'${int(r, 0, 99)} days ${int(r, 0, 23)}:00:0${int(r, 0, 9)}.000005'`],
  ['int4[]', (r) => `'{${int(r, -9, 9)},${int(r, -9, 9)},NULL}'`],
  ['text[]', (r) => `array[${pg.Client.prototype.escapeLiteral(text(r, 6))}, null]::text[]`],
  ['inet', (r) => `'10.${int(r, 0, 255)}.${int(r, 0, 255)}.0/24'`],
  ['$schema.mood', (r) => pick(r, ["'sad'", "'happy'"])],
];

const ROW_TAGS = ['insert', 'update', 'delete'];
const column = (index: number) => `c${index}`;
const literal = (rand: Rand, index: number) => (rand() < 0.15 ? 'null' : TYPES[index]![1](rand));

/** Random changes on four tables: every type, FULL and DEFAULT identity, moved composite keys, TOAST, `__proto__`. */
async function writeRandomChanges(db: pg.Client, schema: string, rand: Rand): Promise<void> {
  const columns = TYPES.map(([type], i) => `${column(i)} ${type.replace('$schema', schema)}`);
  await db.query(`create type ${schema}.mood as enum ('sad', 'happy')`);
  for (const [table, identity] of [
    ['wide_full', 'full'],
    ['wide_default', 'default'],
  ] as const) {
    await db.query(`create table ${schema}.${table} (id int primary key, ${columns.join(', ')})`);
    await db.query(`alter table ${schema}.${table} replica identity ${identity}`);
  }
  await db.query(`create table ${schema}.moves (a int, b text, note text, primary key (a, b))`);
  await db.query(
    `create table ${schema}.toasty (id int primary key, "__proto__" text, body text, n int)`,
  );
  await db.query(`alter table ${schema}.toasty alter column body set storage external`);
  await db.query(`alter table ${schema}.toasty replica identity full`);

  for (let id = 1; id <= 60; id++) {
    for (const table of ['wide_full', 'wide_default']) {
      const values = TYPES.map((_, i) => literal(rand, i));
      await db.query(`insert into ${schema}.${table} values (${id}, ${values.join(', ')})`);
    }
    await db.query(`insert into ${schema}.moves values (${id}, $1, $2)`, [
      text(rand, 5),
      text(rand),
    ]);
    await db.query(`insert into ${schema}.toasty values (${id}, $1, $2, 0)`, [
      text(rand, 5),
      rand() < 0.5 ? 'x'.repeat(int(rand, 3000, 9000)) : text(rand),
    ]);
  }
  for (let change = 0; change < 200; change++) {
    const id = int(rand, 1, 60);
    const table = pick(rand, ['wide_full', 'wide_default']);
    const set = Array.from({ length: int(rand, 1, 4) }, () => int(rand, 0, TYPES.length - 1));
    const assignments = [...new Set(set)].map((i) => `${column(i)} = ${literal(rand, i)}`);
    await db.query(`update ${schema}.${table} set ${assignments.join(', ')} where id = ${id}`);
    // An unchanged TOAST body ('u'), filled from the FULL old row; a moved composite key ('K').
    await db.query(`update ${schema}.toasty set n = n + 1 where id = ${id}`);
    await db.query(`update ${schema}.moves set b = $1 where a = ${id}`, [text(rand, 5)]);
  }
  for (let id = 1; id <= 60; id += int(rand, 1, 5)) {
    for (const table of ['wide_full', 'wide_default', 'moves', 'toasty'])
      await db.query(
        `delete from ${schema}.${table} where ${table === 'moves' ? 'a' : 'id'} = ${id}`,
      );
  }
}

/** The library's parse, with Freshen's value parsers installed on relations (as replication-stream does). */
function libraryParser(): (buffer: Buffer) => Pgoutput.Message {
  const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: ['unused'] });
  return (buffer) => {
    const message = plugin.parse(buffer);
    if (message.tag === 'relation') useWireParsers(message);
    return message;
  };
}

/** Freshen's parse: row messages by RowMessageParser, the rest by the library. */
function freshenParser(): (buffer: Buffer) => Pgoutput.Message {
  const library = libraryParser();
  const rows = new RowMessageParser();
  return (buffer) => {
    const row = rows.parse(buffer);
    if (row) return row;
    const message = library(buffer);
    if (message.tag === 'relation') rows.remember(message);
    return message;
  };
}

/** A tuple as it goes on the wire: its keys in order (undefined included), then its JSON. */
function tupleForm(tuple: Record<string, unknown> | null | undefined): unknown {
  if (!tuple) return tuple;
  return {
    keys: Object.keys(tuple),
    undefinedAt: Object.keys(tuple).filter((k) => tuple[k] === undefined),
    json: JSON.stringify(tuple),
  };
}

/** JSON with bigints (commit times) spelled out, for comparing whole messages. */
const comparable = (value: unknown) =>
  JSON.stringify(value, (_name, item: unknown) => (typeof item === 'bigint' ? `${item}n` : item));

function rowForm(message: Pgoutput.Message): unknown {
  if (message.tag !== 'insert' && message.tag !== 'update' && message.tag !== 'delete')
    return message;
  return {
    tag: message.tag,
    relation: message.relation.relationOid,
    new: 'new' in message ? tupleForm(message.new) : undefined,
    old: 'old' in message ? tupleForm(message.old) : undefined,
    key: 'key' in message ? tupleForm(message.key) : undefined,
  };
}

function decodeAll(parse: (buffer: Buffer) => Pgoutput.Message, buffers: Buffer[]): string[] {
  const decoder = new ChangeDecoder({
    logger: createLogger('row-parser-test', { level: 'silent' }),
    primaryKeyOf: () => undefined,
  });
  const events: string[] = [];
  for (const buffer of buffers) {
    const decoded: Decoded = decoder.decode(parse(buffer));
    if (decoded.kind === 'events')
      for (const event of decoded.events) events.push(JSON.stringify(event));
  }
  return events;
}

/**
 * The pgoutput messages (protocol 1) of what `write` does in a schema of its own, read from a
 * slot created before it and published FOR TABLES IN SCHEMA (so tables created by `write` count).
 */
async function slotChanges(
  prefix: string,
  write: (db: pg.Client, schema: string) => Promise<void>,
): Promise<Buffer[]> {
  const db = new pg.Client({ connectionString: stackSettings().databaseUrl });
  await db.connect();
  cleanup.add('db', () => db.end());
  const schema = uniqueName(prefix);
  await db.query(`create schema ${schema}`);
  cleanup.add('schema', () => db.query(`drop schema ${schema} cascade`));
  await db.query(`create publication ${schema} for tables in schema ${schema}`);
  cleanup.add('publication', () => db.query(`drop publication ${schema}`));
  await db.query(`select pg_create_logical_replication_slot($1, 'pgoutput')`, [schema]);
  cleanup.add('slot', () => db.query('select pg_drop_replication_slot($1)', [schema]));
  await write(db, schema);
  const { rows } = await db.query<{ data: Buffer }>(
    `select data from pg_logical_slot_get_binary_changes($1::name, null, null, 'proto_version', '1', 'publication_names', $1::text)`,
    [schema],
  );
  return rows.map((row) => row.data);
}

describe("RowMessageParser, compared with pg-logical-replication's parser", () => {
  it('reads random rows of every type, FULL and DEFAULT identity, moved keys and unchanged TOAST exactly as the library does', async () => {
    const seed = Number(process.env.ROW_PARSER_SEED ?? Date.now() % 1_000_000);
    const rand = random(seed);
    // The walsender's own settings pin the text forms; these sessions are ordinary ones.
    const buffers = await slotChanges('rowparse', (db, schema) =>
      writeRandomChanges(db, schema, rand),
    );
    const library = libraryParser();
    const freshen = freshenParser();
    let rowMessages = 0;
    for (const [index, buffer] of buffers.entries()) {
      const expected = rowForm(library(buffer));
      const actual = rowForm(freshen(buffer));
      if (ROW_TAGS.includes((expected as { tag: string }).tag)) rowMessages++;
      if (comparable(actual) !== comparable(expected))
        throw new Error(
          `seed ${seed}: message ${index} differs:\n${comparable(actual)}\n${comparable(expected)}`,
        );
    }
    expect(rowMessages).toBeGreaterThan(800);
    // And the events the decoder makes of them, byte for byte.
    expect(decodeAll(freshenParser(), buffers)).toEqual(decodeAll(libraryParser(), buffers));
  });

  it('refuses every truncation of a row message rather than inventing values', async () => {
    const buffers = await slotChanges('rowtrunc', async (db, schema) => {
      await db.query(`create table ${schema}.t (id int primary key, s text)`);
      await db.query(`alter table ${schema}.t replica identity full`);
      await db.query(`insert into ${schema}.t values (1, 'hello')`);
      await db.query(`update ${schema}.t set s = 'world' where id = 1`);
      await db.query(`delete from ${schema}.t where id = 1`);
    });
    const parse = freshenParser();
    let truncations = 0;
    for (const data of buffers) {
      const whole = parse(data);
      if (!ROW_TAGS.includes(whole.tag)) continue;
      for (let length = 1; length < data.length; length++) {
        expect(() => parse(data.subarray(0, length))).toThrow();
        truncations++;
      }
    }
    expect(truncations).toBeGreaterThan(50);
  });
});
