import { structureKeysFor } from '@freshen/keys';
import {
  STRUCTURE_COMMANDS,
  structureCommand,
  type StructureAction,
  type StructureCommandName,
} from '@freshen/rules';
import { applyStructureMember } from '@freshen/storage';
import type { ChainableCommander } from 'ioredis';

/** A structure member action with the version of the change it came from. */
export type StructureCommand = StructureAction & {
  /** eventVersion(change): the member's fence (apply-structure-member.lua). */
  version: string;
};

/** Structure commands applied and refused (an older or same version: a replay, a late apply), by command. */
export interface StructureTally {
  applied: Record<StructureCommandName, number>;
  refused: Record<StructureCommandName, number>;
  /** Commands not applied because the key holds another Redis type (a rules mistake). */
  wrongType: number;
}

export function emptyStructureTally(): StructureTally {
  const zeros = () =>
    Object.fromEntries(STRUCTURE_COMMANDS.map((name) => [name, 0])) as Record<
      StructureCommandName,
      number
    >;
  return { applied: zeros(), refused: zeros(), wrongType: 0 };
}

/** Queues one member's fenced change; returns the command name its reply counts under. */
export function queueStructureCommand(
  pipeline: ChainableCommander,
  command: StructureCommand,
  tombstoneTtlMs: number,
): StructureCommandName {
  applyStructureMember.queue(pipeline, structureKeysFor(command.key), [
    command.structure,
    command.op,
    command.member,
    command.version,
    command.op === 'add' ? command.value : '',
    tombstoneTtlMs,
  ]);
  return structureCommand(command);
}

/** Adds one reply of apply-structure-member.lua (1 applied, 0 refused, -1 wrong type). */
export function countStructureReply(
  tally: StructureTally,
  name: StructureCommandName,
  reply: unknown,
): void {
  if (reply === 1) tally.applied[name]++;
  else if (reply === 0) tally.refused[name]++;
  else tally.wrongType++;
}

export function addStructureTally(into: StructureTally, from: StructureTally): void {
  for (const name of STRUCTURE_COMMANDS) {
    into.applied[name] += from.applied[name];
    into.refused[name] += from.refused[name];
  }
  into.wrongType += from.wrongType;
}
