/**
 * The consumer group whose committed offsets on the dead-letter topic mark the letters already
 * replayed (`freshen dlq replay` commits past each letter it applied; `freshen status` counts
 * the letters after that point). It never has members: only the commands commit for it.
 */
export function dlqReplayGroup(invalidatorGroup: string): string {
  return `${invalidatorGroup}.dlq-replay`;
}
