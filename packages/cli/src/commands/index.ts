import type { Command } from '../cli/command.ts';
import { backfillCommand } from './backfill.ts';
import { dlqCommand } from './dlq.ts';
import { explainCommand } from './explain.ts';
import { invalidatorCommand, readerCommand } from './services.ts';
import { statusCommand } from './status.ts';
import { tailCommand } from './tail.ts';
import { validateCommand } from './validate.ts';
import { warmCommand } from './warm.ts';

/** Every `freshen` subcommand, in the order `freshen --help` lists them. */
export const COMMANDS: readonly Command[] = [
  readerCommand,
  invalidatorCommand,
  statusCommand,
  explainCommand,
  tailCommand,
  dlqCommand,
  backfillCommand,
  validateCommand,
  warmCommand,
];
