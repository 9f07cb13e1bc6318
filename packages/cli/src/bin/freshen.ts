#!/usr/bin/env node
// The one `freshen` executable: the services and the operator's commands.
//   freshen <command> [options]      freshen --help      freshen <command> --help
import { EXIT } from '../cli/exit-codes.ts';
import { runCommand } from '../cli/run-command.ts';
import { COMMANDS } from '../commands/index.ts';

const [name, ...argv] = process.argv.slice(2);

function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    'usage: freshen <command> [options]   (freshen <command> --help for its options)',
    '',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    "Every command reads the services' environment (DATABASE_URL, KAFKA_BROKERS, REDIS_URL,",
    'TOPIC_PREFIX, GROUP_ID, SLOT_NAME, RULES_MODULE...; .stack/env fills what is unset) and',
    'takes --json. Exit codes: 0 ok, 1 needs attention, 2 bad arguments, 3 a dependency is',
    'unreachable, 78 bad configuration, 130 interrupted (see packages/cli/README.md).',
  ].join('\n');
}

const command = COMMANDS.find((candidate) => candidate.name === name);
if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
  process.stdout.write(`${overview()}\n`);
  process.exitCode = name === undefined ? EXIT.USAGE : EXIT.OK;
} else if (command === undefined) {
  process.stderr.write(`freshen: unknown command ${JSON.stringify(name)}\n${overview()}\n`);
  process.exitCode = EXIT.USAGE;
} else if (command.service && !argv.includes('--help') && !argv.includes('-h')) {
  // The service's entry point owns signals and the exit code from here on.
  await command.run({
    argv,
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    signal: new AbortController().signal,
  });
} else {
  // First Ctrl-C asks the command to stop cleanly (a backfill writes its checkpoint); a second forces.
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) process.exit(EXIT.INTERRUPTED);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.exitCode = await runCommand(command, {
    argv,
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    signal: controller.signal,
  });
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  // Done, and everything is written (stdout and stderr are synchronous on pipes and files): a
  // client socket a dead broker still holds open must not keep the command alive.
  process.exit(process.exitCode);
}
