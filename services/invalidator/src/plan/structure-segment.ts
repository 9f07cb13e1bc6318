import { memberId, type StructureAction } from '@freshen/rules';
import type { StructureCommand } from '../redis/structure-commands.ts';

/**
 * The structure member changes of one batch segment: only each member's LAST change matters
 * (one partition is in commit order, so it carries the newest version), just as only each
 * key's last action does.
 */
export class StructureSegment {
  private readonly byMember = new Map<string, StructureCommand>();

  get size(): number {
    return this.byMember.size;
  }

  add(actions: readonly StructureAction[], version: string): void {
    for (const action of actions) {
      const id = memberId(action);
      this.byMember.delete(id);
      this.byMember.set(id, { ...action, version });
    }
  }

  commands(): StructureCommand[] {
    return [...this.byMember.values()];
  }
}
