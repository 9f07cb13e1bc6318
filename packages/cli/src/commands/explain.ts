import type { Row } from '@freshen/change-event';
import type { CacheAction } from '@freshen/rules';
import { loadRuleSet } from '@freshen/rules';
import { readCliConfig, requireDatabase, requireRules } from '../cli-config.ts';
import type { Command } from '../cli/command.ts';
import { connectPostgres, connectRedis } from '../cli/connections.ts';
import { EXIT } from '../cli/exit-codes.ts';
import { parseOptions } from '../cli/parse-options.ts';
import { UsageError } from '../cli/usage-error.ts';
import { formatTable } from '../output/table.ts';
import { readKeyContents, type KeyContents } from '../redis/key-contents.ts';
import { rowEvent, type RowOp } from '../rows/row-event.ts';
import { READER_LIKE_CLIENT, TableRows } from '../rows/table-rows.ts';

const OPS: readonly RowOp[] = ['insert', 'update', 'delete'];

export const explainCommand: Command = {
  name: 'explain',
  summary: 'dry-run the rules for a row: the keys and actions, and what Redis holds under each',
  usage: `usage: freshen explain --table <schema.table> (--row <json> | --key <json>) [--op insert|update|delete]
                       [--rules <module>] [--json]
  --row   the row as JSON (values as Postgres prints them), e.g. '{"id":7,"email":"a@b.c"}'
  --key   the primary key as JSON, e.g. '{"id":7}': the row is read from DATABASE_URL
  --op    the operation to explain (default update); nothing is written anywhere
  Prints each key the rules produce, the action (delete or refresh), and Redis's key now: type,
  TTL, value, refresh version, and whether a reader holds its fill lease.
  exit 0 explained, 1 no such row or a rule threw, 2 bad arguments, 3 Postgres or Redis unreachable`,
  async run(context) {
    const { values } = parseOptions(context.argv, {
      table: { type: 'string' },
      row: { type: 'string' },
      key: { type: 'string' },
      op: { type: 'string' },
      rules: { type: 'string' },
    });
    if (!values.table) throw new UsageError('--table is required');
    if ((values.row === undefined) === (values.key === undefined))
      throw new UsageError('give exactly one of --row and --key');
    const op = (values.op ?? 'update') as RowOp;
    if (!OPS.includes(op)) throw new UsageError(`--op must be one of ${OPS.join(', ')}`);
    const given = parseJsonObject(values.row ?? values.key!, values.row ? '--row' : '--key');
    const config = readCliConfig(context.env, context.cwd);
    const rules = await loadRuleSet(requireRules(config, values.rules), {
      cwd: context.cwd,
      setting: values.rules === undefined ? 'RULES_MODULE' : '--rules',
    });

    const db = await connectPostgres(requireDatabase(config), READER_LIKE_CLIENT);
    let table: TableRows;
    let found: { key: Row; row: Row } | undefined;
    try {
      table = await TableRows.open(db, values.table);
      found = values.row
        ? {
            key: Object.fromEntries(table.keyColumns.map((column) => [column, given[column]])),
            row: given,
          }
        : await table.byKey(given);
    } finally {
      await db.end();
    }
    if (!found) {
      context.stderr.write(`no row of ${table.schema}.${table.table} has the key ${values.key}\n`);
      return EXIT.ATTENTION;
    }
    if (!rules.hasTable(table.schema, table.table)) {
      context.stdout.write(
        values.json
          ? `${JSON.stringify({ table: `${table.schema}.${table.table}`, op, ruled: false, actions: [] })}\n`
          : `${table.schema}.${table.table} has no rules: its changes touch no key\n`,
      );
      return EXIT.OK;
    }
    const actions: CacheAction[] = rules.evaluate(
      rowEvent(table.schema, table.table, op, found.key, found.row),
    );
    const redis = await connectRedis(config.redis);
    let contents: KeyContents[];
    try {
      contents = await Promise.all(actions.map((action) => readKeyContents(redis, action.key)));
    } finally {
      redis.disconnect();
    }
    const explained = actions.map((action, index) => ({
      key: action.key,
      action: action.kind,
      ...(action.kind === 'refresh' ? { refreshTo: action.value, ttlMs: action.ttlMs } : {}),
      now: contents[index]!,
    }));
    if (values.json) {
      context.stdout.write(
        `${JSON.stringify({ table: `${table.schema}.${table.table}`, op, key: found.key, actions: explained }, null, 2)}\n`,
      );
      return EXIT.OK;
    }
    context.stdout.write(
      `${op} of ${table.schema}.${table.table} ${JSON.stringify(found.key)}: ${actions.length} key${actions.length === 1 ? '' : 's'}\n` +
        formatTable(
          explained.map((entry) => ({
            key: entry.key,
            action: entry.action,
            'in Redis': entry.now.type,
            'ttl ms': entry.now.ttlMs,
            version: entry.now.version,
            leased: entry.now.leased,
            value: entry.now.value,
          })),
          ['key', 'action', 'in Redis', 'ttl ms', 'version', 'leased', 'value'],
        ) +
        '\n',
    );
    return EXIT.OK;
  },
};

function parseJsonObject(text: string, flag: string): Row {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${flag} is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new UsageError(`${flag} must be a JSON object of column: value`);
  return parsed as Row;
}
