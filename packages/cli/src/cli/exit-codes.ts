/**
 * The exit codes of every `freshen` subcommand, for scripts (documented in packages/cli/README.md).
 * The services (`freshen reader`, `freshen invalidator`) keep their own (packages/runtime).
 */
export const EXIT = {
  /** Done, and nothing needs attention. */
  OK: 0,
  /** Done, but something needs attention: status found a problem, validate a mismatch, a replay or warm entry failed. */
  ATTENTION: 1,
  /** Bad arguments: the usage line says what is wrong. */
  USAGE: 2,
  /** A dependency (Postgres, Kafka, Redis) could not be reached or refused us. */
  UNAVAILABLE: 3,
  /** Bad configuration (the environment); one line per problem. */
  CONFIG: 78,
  /** Interrupted (Ctrl-C); a backfill can be resumed from its checkpoint. */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
