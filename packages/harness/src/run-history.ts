/**
 * What a workload did that the stale check needs to name a stale key's cause: which rows moved
 * to another primary key, and which rows a TRUNCATE or a cascade removed. Filled as the writes
 * commit; read after the pipeline drained.
 */
export class RunHistory {
  /** Old user id → the id it moved to, for every primary-key move of a user. */
  readonly movedUsers = new Map<string, string>();
  /** Ids of the orders a TRUNCATE of orders removed (some are re-inserted later, changed). */
  readonly truncatedOrders = new Set<string>();
  /** `team_id:user_id` of the memberships a TRUNCATE of team_members removed. */
  readonly truncatedMemberships = new Set<string>();

  /** The id `id` moved to last, following a chain of moves; undefined if it never moved. */
  movedTo(id: string): string | undefined {
    let next = this.movedUsers.get(id);
    for (let hops = 0; next !== undefined && this.movedUsers.has(next) && hops < 1000; hops++)
      next = this.movedUsers.get(next);
    return next;
  }
}
