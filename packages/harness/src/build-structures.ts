import type pg from 'pg';
import type { Pipeline } from './pipeline.ts';

/**
 * Builds the structures the example rules keep (the leaderboard, the member-id sets) for rows
 * that existed before the pipeline started: every row they are kept from is rewritten
 * unchanged, so the rules see an update of each and add its member; resolves once the
 * pipeline has applied that. (An operator would run `freshen backfill` instead; this goes
 * through the same WAL path the rest of a run tests.)
 */
export async function buildStructures(db: pg.Client, pipeline: Pipeline): Promise<void> {
  const schema = `"${pipeline.schema.replaceAll('"', '""')}"`;
  await db.query(`update ${schema}.products set units_sold = units_sold`);
  await db.query(`update ${schema}.team_members set role = role`);
  await pipeline.waitForDrain();
}
