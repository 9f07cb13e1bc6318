import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { useCleanup, waitFor } from '@freshen/test-kit';
import { readerTest } from '../helpers/reader-harness.ts';
import { spawnReader } from '../helpers/reader-process.ts';

const cleanup = useCleanup();

// Regression (issue 10): with no publication and no table list (a typo such as SLOT_NAM was
// enough), the reader created a publication FOR ALL TABLES, after which Postgres rejects
// UPDATE and DELETE on every table without a replica identity.
describe('cdc-reader: never a publication FOR ALL TABLES (issue 10)', () => {
  it('refuses to start with one line and exit 78 naming RULES_MODULE and PUBLICATION_TABLES when the publication is missing and no tables are given', async () => {
    const t = await readerTest(cleanup, []);
    const publication = `${t.slot}_new`;
    const reader = await spawnReader(cleanup, { ...t.env, PUBLICATION_NAME: publication });
    expect(await reader.exit).toBe(78);
    const lines = reader.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('RULES_MODULE');
    expect(lines[0]).toContain('PUBLICATION_TABLES');
    const created = await t.db.query('select 1 from pg_publication where pubname = $1', [
      publication,
    ]);
    expect(created.rowCount).toBe(0);
  });

  it("creates a missing publication for the rules module's tables only", async () => {
    const t = await readerTest(cleanup, [
      'create table $schema.items (id int primary key)',
      'create table $schema.other (id int primary key)',
    ]);
    const dir = mkdtempSync(path.join(tmpdir(), 'freshen-rules-'));
    cleanup.add('rules module', () => rmSync(dir, { recursive: true, force: true }));
    const rulesModule = path.join(dir, 'rules.mjs');
    // The shape of a RuleSet as far as the reader looks at it.
    writeFileSync(
      rulesModule,
      `export default { tables: ['${t.schema}.items'], hasTable: () => true, evaluate: () => [], truncatePatterns: () => [] };\n`,
    );
    const publication = `${t.slot}_rules`;
    cleanup.add(`drop publication ${publication}`, () =>
      t.db.query(`drop publication if exists ${publication}`),
    );
    const events = await t.collect('items');
    await t.start({ PUBLICATION_NAME: publication, RULES_MODULE: rulesModule });

    const published = await t.db.query<{ all_tables: boolean; tables: string[] }>(
      `select p.puballtables as all_tables, array(select schemaname || '.' || tablename from pg_publication_tables where pubname = p.pubname) as tables
         from pg_publication p where pubname = $1`,
      [publication],
    );
    expect(published.rows).toEqual([{ all_tables: false, tables: [`${t.schema}.items`] }]);
    await t.db.query(`insert into ${t.schema}.items values (1)`);
    await waitFor(() => events.length === 1, { description: 'a row of the published table' });
  });
});
