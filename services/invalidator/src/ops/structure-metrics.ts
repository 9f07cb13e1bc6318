import { STRUCTURE_COMMANDS } from '@freshen/rules';
import type { StructureTally } from '../redis/structure-commands.ts';
import type { InvalidatorMetrics } from './metrics.ts';

/** Adds one apply's structure tally to freshen_invalidator_structure_ops_total. */
export function countStructureOps(metrics: InvalidatorMetrics, tally: StructureTally): void {
  for (const action of STRUCTURE_COMMANDS) {
    if (tally.applied[action] > 0)
      metrics.structureOps.inc({ action, outcome: 'applied' }, tally.applied[action]);
    if (tally.refused[action] > 0)
      metrics.structureOps.inc({ action, outcome: 'refused' }, tally.refused[action]);
  }
  if (tally.wrongType > 0)
    metrics.structureOps.inc({ action: 'any', outcome: 'wrong_type' }, tally.wrongType);
}
