import { ConfigError } from '@freshen/config';
import { isFreshenError } from '@freshen/runtime';
import type { Command, CommandContext } from './command.ts';
import { EXIT } from './exit-codes.ts';
import { UsageError } from './usage-error.ts';

const UNAVAILABLE_CODES = new Set([
  'POSTGRES_UNAVAILABLE',
  'KAFKA_UNAVAILABLE',
  'REDIS_UNAVAILABLE',
  'REDIS_REFUSED',
  'PRIVILEGE_MISSING',
]);

/**
 * Runs one subcommand and turns what it throws into one line and an exit code: usage (2),
 * configuration (78, one line per problem), an unreachable dependency (3), anything else (1).
 */
export async function runCommand(command: Command, context: CommandContext): Promise<number> {
  if (context.argv.includes('--help') || context.argv.includes('-h')) {
    context.stdout.write(`${command.usage}\n`);
    return EXIT.OK;
  }
  try {
    return await command.run(context);
  } catch (error) {
    if (error instanceof UsageError) {
      context.stderr.write(`freshen ${command.name}: ${error.message}\n${command.usage}\n`);
      return EXIT.USAGE;
    }
    if (error instanceof ConfigError) {
      for (const problem of error.problems) context.stderr.write(`config: ${problem}\n`);
      return EXIT.CONFIG;
    }
    if (isFreshenError(error) && UNAVAILABLE_CODES.has(error.code)) {
      context.stderr.write(`freshen ${command.name}: ${error.message}\n`);
      return EXIT.UNAVAILABLE;
    }
    context.stderr.write(
      `freshen ${command.name}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return EXIT.ATTENTION;
  }
}
