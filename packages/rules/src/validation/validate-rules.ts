import { FreshenError } from '@freshen/runtime';
import type pg from 'pg';
import type { TableRule } from '../define/table-rule.ts';
import { isDescribedRuleSet, type RuleSet } from '../rule-set.ts';
import { readPublicationFacts, readPublishedColumns } from './publication-facts.ts';
import { identityColumns, readTableFacts, type TableFacts } from './table-facts.ts';
import { validationProblem, type ValidationProblem } from './validation-problem.ts';

export interface ValidateOptions {
  /** The publication the CDC reader streams; when given, each table must be in it. */
  publication?: string;
}

/** What the rules of one table need from it. */
interface TableNeeds {
  schema: string;
  table: string;
  /** column → rules reading it from the new row / from the old row. */
  reads: Map<string, string[]>;
  readsOld: Map<string, string[]>;
}

/**
 * Checks the rules against the live database: each table exists, is in the publication (with
 * every operation and every read column published), has a primary key or replica identity,
 * has every column a rule reads, and sends every old-row column a rule reads (REPLICA IDENTITY
 * FULL when they are outside the key). Returns every problem; an empty list means the rules fit.
 * A RuleSet not made by defineRules cannot describe its columns: only its tables are checked.
 */
export async function validateRules(
  db: pg.ClientBase,
  rules: RuleSet,
  options: ValidateOptions = {},
): Promise<ValidationProblem[]> {
  const problems: ValidationProblem[] = [];
  const needs = collectNeeds(rules);
  const publication =
    options.publication === undefined
      ? undefined
      : await readPublicationFacts(db, options.publication);
  if (publication && !publication.exists) {
    const tables: TableFacts[] = [];
    // One query at a time: a pg client runs them in sequence anyway (and warns on overlap).
    for (const need of needs) tables.push(await readTableFacts(db, need.schema, need.table));
    problems.push(
      validationProblem({
        table: options.publication!,
        problem: `publication ${options.publication} does not exist, so no change reaches Freshen`,
        fix: `CREATE PUBLICATION ${publication.sqlName} FOR TABLE ${tables.map((t) => t.sqlName).join(', ')};`,
      }),
    );
  } else if (publication && publication.unpublishedOps.length > 0) {
    problems.push(
      validationProblem({
        table: options.publication!,
        problem: `publication ${options.publication} does not publish ${publication.unpublishedOps.join(', ')}, so those changes never invalidate keys`,
        fix: `ALTER PUBLICATION ${publication.sqlName} SET (publish = 'insert, update, delete, truncate');`,
      }),
    );
  }
  for (const need of needs) {
    const facts = await readTableFacts(db, need.schema, need.table);
    problems.push(...checkTable(need, facts));
    if (facts.exists && publication?.exists) {
      problems.push(
        ...(await checkPublished(db, options.publication!, publication.sqlName, need, facts)),
      );
    }
  }
  return problems;
}

/** validateRules, throwing one SCHEMA_MISMATCH error listing every problem (for service start). */
export async function assertRulesValid(
  db: pg.ClientBase,
  rules: RuleSet,
  options: ValidateOptions = {},
): Promise<void> {
  const problems = await validateRules(db, rules, options);
  if (problems.length > 0) {
    throw new FreshenError(
      'SCHEMA_MISMATCH',
      `the rules do not fit the database (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  ${p.message}`).join('\n')}`,
    );
  }
}

function collectNeeds(rules: RuleSet): TableNeeds[] {
  const byTable = new Map<string, TableNeeds>();
  const tableRules: readonly TableRule[] = isDescribedRuleSet(rules) ? rules.rules : [];
  for (const qualified of rules.tables) {
    const [schema, table] = qualified.split('.') as [string, string];
    byTable.set(qualified, { schema, table, reads: new Map(), readsOld: new Map() });
  }
  for (const rule of tableRules) {
    const need = byTable.get(rule.qualified);
    if (!need) continue;
    for (const column of rule.reads)
      need.reads.set(column, [...(need.reads.get(column) ?? []), rule.name]);
    for (const column of rule.readsOld)
      need.readsOld.set(column, [...(need.readsOld.get(column) ?? []), rule.name]);
  }
  return [...byTable.values()];
}

function checkTable(need: TableNeeds, facts: TableFacts): ValidationProblem[] {
  const table = `${need.schema}.${need.table}`;
  if (!facts.exists) {
    return [
      validationProblem({
        table,
        problem: 'table does not exist',
        fix: `create it (CREATE TABLE ${facts.sqlName} (...), or run the migration that does), or correct the table name in the rule`,
      }),
    ];
  }
  const problems: ValidationProblem[] = [];
  for (const column of new Set([...need.reads.keys(), ...need.readsOld.keys()])) {
    if (facts.columns.includes(column)) continue;
    problems.push(
      validationProblem({
        table,
        column,
        rule: rulesReading(need, column),
        problem: 'column does not exist but the rule reads it',
        fix: `correct the column name in the rule, or ALTER TABLE ${facts.sqlName} ADD COLUMN ${quoteIdent(column)} <type>;`,
      }),
    );
  }
  const identity = identityColumns(facts);
  if (identity.length === 0 && facts.primaryKey.length > 0) {
    problems.push(
      validationProblem({
        table,
        problem: `it has a primary key (${facts.primaryKey.join(', ')}) but REPLICA IDENTITY ${describeIdentity(facts)}, so Postgres sends no old key and rejects its updates and deletes while it is published`,
        fix: `ALTER TABLE ${facts.sqlName} REPLICA IDENTITY DEFAULT;`,
      }),
    );
    return problems;
  }
  if (identity.length === 0) {
    const key = facts.columns.includes('id') ? 'id' : '<key columns>';
    problems.push(
      validationProblem({
        table,
        problem: `no primary key and no replica identity (REPLICA IDENTITY ${describeIdentity(facts)}), so Postgres cannot send which row an update or delete changed`,
        fix: `ALTER TABLE ${facts.sqlName} ADD PRIMARY KEY (${key}); or ALTER TABLE ${facts.sqlName} REPLICA IDENTITY FULL;`,
      }),
    );
    return problems;
  }
  if (facts.replicaIdentity !== 'f') {
    for (const [column, rules] of need.readsOld) {
      if (identity.includes(column) || !facts.columns.includes(column)) continue;
      problems.push(
        validationProblem({
          table,
          column,
          rule: rules.join(', '),
          problem: `the rule reads it from the old row, but REPLICA IDENTITY ${describeIdentity(facts)} sends only ${identity.join(', ')}`,
          fix: `ALTER TABLE ${facts.sqlName} REPLICA IDENTITY FULL;`,
        }),
      );
    }
  }
  return problems;
}

async function checkPublished(
  db: pg.ClientBase,
  publication: string,
  publicationSql: string,
  need: TableNeeds,
  facts: TableFacts,
): Promise<ValidationProblem[]> {
  const table = `${need.schema}.${need.table}`;
  const published = await readPublishedColumns(db, publication, need.schema, need.table);
  if (published === undefined) {
    return [
      validationProblem({
        table,
        problem: `not in publication ${publication}, so its changes never reach Freshen`,
        fix: `ALTER PUBLICATION ${publicationSql} ADD TABLE ${facts.sqlName};`,
      }),
    ];
  }
  if (published === 'all') return [];
  const unpublished = [...new Set([...need.reads.keys(), ...need.readsOld.keys()])].filter(
    (column) => facts.columns.includes(column) && !published.includes(column),
  );
  return unpublished.map((column) =>
    validationProblem({
      table,
      column,
      rule: [
        ...new Set([...(need.reads.get(column) ?? []), ...(need.readsOld.get(column) ?? [])]),
      ].join(', '),
      problem: `publication ${publication} has a column list without it, so the rule never sees it`,
      fix: `ALTER PUBLICATION ${publicationSql} DROP TABLE ${facts.sqlName}; ALTER PUBLICATION ${publicationSql} ADD TABLE ${facts.sqlName};`,
    }),
  );
}

/** Names of the rules that read `column` from either row. */
function rulesReading(need: TableNeeds, column: string): string {
  return [
    ...new Set([...(need.reads.get(column) ?? []), ...(need.readsOld.get(column) ?? [])]),
  ].join(', ');
}

function describeIdentity(facts: TableFacts): string {
  return { d: 'DEFAULT', n: 'NOTHING', f: 'FULL', i: 'USING INDEX' }[facts.replicaIdentity ?? 'n'];
}

/** Quotes an identifier unless it is plainly lowercase (reserved words aside, as a hint only). */
function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}
