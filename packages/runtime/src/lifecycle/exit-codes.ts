import { ConfigError } from '@freshen/config';
import { isFreshenError } from '../errors/freshen-error.ts';

/**
 * The exit codes of every Freshen service, from sysexits.h where one fits, so an orchestrator
 * (or a person) can tell "fix the settings" from "a dependency is down" without the log.
 */
export const EXIT_CODES = {
  /** Stopped cleanly (signal, then drain). */
  OK: 0,
  /** An unexpected failure, or a drain that missed its deadline. */
  FAILED: 1,
  /** EX_UNAVAILABLE: Postgres, Kafka or Redis could not be reached (retrying is sensible). */
  UNAVAILABLE: 69,
  /** EX_NOPERM: the database role lacks a privilege (REPLICATION, CREATE on the database...). */
  NO_PERMISSION: 77,
  /** EX_CONFIG: a setting, the rules module or the rules against the schema are wrong. */
  CONFIG: 78,
  /** A second signal forced the exit without draining (128 + SIGINT, as shells report it). */
  FORCED: 130,
} as const;

/** The exit code a fatal error stands for: by its code, never by its message. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof ConfigError) return EXIT_CODES.CONFIG;
  if (!isFreshenError(error)) return EXIT_CODES.FAILED;
  switch (error.code) {
    case 'CONFIG_INVALID':
    case 'SCHEMA_MISMATCH':
      return EXIT_CODES.CONFIG;
    case 'PRIVILEGE_MISSING':
      return EXIT_CODES.NO_PERMISSION;
    case 'POSTGRES_UNAVAILABLE':
    case 'KAFKA_UNAVAILABLE':
    case 'REDIS_UNAVAILABLE':
      return EXIT_CODES.UNAVAILABLE;
    default:
      return EXIT_CODES.FAILED;
  }
}
