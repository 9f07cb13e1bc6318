import type { Env } from '@freshen/config';

/** What a subcommand gets: its own arguments (after the subcommand's name) and its world. */
export interface CommandContext {
  argv: string[];
  env: Env;
  /** Where relative paths the user typed resolve from. */
  cwd: string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM: long commands stop cleanly and say where. */
  signal: AbortSignal;
}

/** One `freshen <name>` subcommand. */
export interface Command {
  name: string;
  /** One line for `freshen --help`. */
  summary: string;
  /** The full `freshen <name> --help` text. */
  usage: string;
  /** A service: it handles its own signals and exit code (packages/runtime's runService). */
  service?: true;
  /** Resolves with the exit code (see exit-codes.ts); never calls process.exit. */
  run(context: CommandContext): Promise<number>;
}
