import { applyMessages } from '@freshen/invalidator/apply';
import { loadRuleSet } from '@freshen/rules';
import { readCliConfig, requireKafka, requireRules, type CliConfig } from '../cli-config.ts';
import type { Command, CommandContext } from '../cli/command.ts';
import { connectRedis } from '../cli/connections.ts';
import { EXIT } from '../cli/exit-codes.ts';
import { parseOptions } from '../cli/parse-options.ts';
import { UsageError } from '../cli/usage-error.ts';
import { dlqReplayGroup } from '../dlq/dlq-replay-group.ts';
import { parseLetterId, toDeadLetter, type DeadLetterView } from '../dlq/dead-letters.ts';
import { KafkaAdmin } from '../kafka/kafka-admin.ts';
import { readTopics } from '../kafka/topic-reader.ts';
import { formatTable } from '../output/table.ts';

export const dlqCommand: Command = {
  name: 'dlq',
  summary: 'list, show and replay dead letters (after a rule fix) through the normal apply path',
  usage: `usage: freshen dlq list [--code <ERROR_CODE>] [--json]
       freshen dlq show <id> [--json]
       freshen dlq replay (<id>... | --all) [--rules <module>] [--json]
  Reads DLQ_TOPIC (default <TOPIC_PREFIX>.dlq). A letter's id is <partition>@<offset> (or the
  offset alone in partition 0). list: origin, error code and message of each letter, and
  whether it was replayed. show: one letter in full, with the rule's own error text.
  replay: decodes each letter and applies it as the invalidator does (the rules of --rules or
  RULES_MODULE, the invalidator's Redis applier), except that refreshes are applied as deletes:
  a letter is older than what followed it, so only a delete is safe (the next read loads the
  row). Deletes are idempotent, so replaying twice does no harm. --all replays every letter not
  replayed yet and moves the replay mark (group <GROUP_ID>.dlq-replay) past the ones applied,
  which is what \`freshen status\` counts.
  exit 0 done, 1 a letter still fails (or no such letter), 2 bad arguments, 3 Kafka or Redis unreachable`,
  async run(context) {
    const [action, ...rest] = context.argv;
    const { values, positionals } = parseOptions(rest, {
      code: { type: 'string' },
      all: { type: 'boolean' },
      rules: { type: 'string' },
    });
    const config = readCliConfig(context.env, context.cwd);
    if (action === 'list') return list(context, config, values);
    if (action === 'show') {
      const id = positionals[0] === undefined ? undefined : parseLetterId(positionals[0]);
      if (id === undefined) throw new UsageError('dlq show needs one letter id, e.g. 0@12');
      return show(context, config, id, values.json === true);
    }
    if (action === 'replay') {
      const ids = positionals.map((text) => {
        const id = parseLetterId(text);
        if (id === undefined)
          throw new UsageError(`${text} is not a letter id (<partition>@<offset>)`);
        return id;
      });
      if ((ids.length === 0) === !values.all)
        throw new UsageError('dlq replay needs letter ids or --all (not both)');
      return replay(context, config, ids, values);
    }
    throw new UsageError('give list, show or replay');
  },
};

/** Every letter the topic holds now, oldest first, with its replayed flag. */
async function readLetters(context: CommandContext, config: CliConfig): Promise<DeadLetterView[]> {
  const kafka = requireKafka(config);
  const admin = new KafkaAdmin(kafka);
  let ranges;
  let mark: Map<number, bigint> | undefined;
  try {
    if (!(await admin.topicExists(config.dlqTopic))) return [];
    ranges = (await admin.ranges([config.dlqTopic])).get(config.dlqTopic) ?? [];
    mark = (await admin.group(dlqReplayGroup(config.groupId))).committed.get(config.dlqTopic);
  } finally {
    await admin.close().catch(() => {});
  }
  const until = new Map([
    [
      config.dlqTopic,
      new Map(ranges.filter((r) => r.end > r.start).map((r) => [r.partition, r.end])),
    ],
  ]);
  const letters: DeadLetterView[] = [];
  for await (const message of readTopics({
    connection: kafka,
    topics: [config.dlqTopic],
    from: 'earliest',
    until,
    signal: context.signal,
  }))
    letters.push(toDeadLetter(message, mark?.get(message.partition)));
  return letters.sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset));
}

const originText = (letter: DeadLetterView) =>
  letter.origin
    ? `${letter.origin.topic}/${letter.origin.partition}@${letter.origin.offset}`
    : null;

async function list(
  context: CommandContext,
  config: CliConfig,
  values: { code?: string; json?: boolean },
): Promise<number> {
  const letters = (await readLetters(context, config)).filter(
    (letter) => values.code === undefined || letter.errorCode === values.code,
  );
  if (values.json) {
    context.stdout.write(
      `${JSON.stringify(
        letters.map((letter) => ({
          id: letter.id,
          failedAt: letter.failedAt,
          errorCode: letter.errorCode,
          errorMessage: letter.errorMessage,
          origin: letter.origin,
          reference: letter.reference,
          replayed: letter.replayed,
        })),
        null,
        2,
      )}\n`,
    );
    return EXIT.OK;
  }
  context.stdout.write(
    `${config.dlqTopic}: ${letters.length} letter${letters.length === 1 ? '' : 's'}\n` +
      formatTable(
        letters.map((letter) => ({
          id: letter.id,
          'failed at': letter.failedAt,
          code: letter.errorCode,
          origin: originText(letter),
          replayed: letter.replayed,
          error: letter.errorMessage,
        })),
        ['id', 'failed at', 'code', 'origin', 'replayed', 'error'],
      ) +
      '\n',
  );
  return EXIT.OK;
}

async function show(
  context: CommandContext,
  config: CliConfig,
  id: string,
  json: boolean,
): Promise<number> {
  const letter = (await readLetters(context, config)).find((candidate) => candidate.id === id);
  if (!letter) {
    context.stderr.write(`no letter ${id} in ${config.dlqTopic} (freshen dlq list shows them)\n`);
    return EXIT.ATTENTION;
  }
  const shown = {
    id: letter.id,
    failedAt: letter.failedAt,
    errorCode: letter.errorCode,
    errorMessage: letter.errorMessage,
    errorDetail: letter.errorDetail,
    origin: letter.origin,
    reference: letter.reference,
    replayed: letter.replayed,
    key: letter.key?.toString('utf8') ?? null,
    value: letter.value?.toString('utf8') ?? null,
  };
  context.stdout.write(
    json
      ? `${JSON.stringify(shown, null, 2)}\n`
      : `${Object.entries(shown)
          .map(
            ([name, value]) =>
              `${name}: ${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`,
          )
          .join('\n')}\n`,
  );
  return EXIT.OK;
}

async function replay(
  context: CommandContext,
  config: CliConfig,
  ids: string[],
  values: { all?: boolean; rules?: string; json?: boolean },
): Promise<number> {
  const rules = await loadRuleSet(requireRules(config, values.rules), {
    cwd: context.cwd,
    setting: values.rules === undefined ? 'RULES_MODULE' : '--rules',
  });
  const letters = await readLetters(context, config);
  const selected = values.all
    ? letters.filter((letter) => !letter.replayed)
    : ids.map((id) => letters.find((letter) => letter.id === id) ?? id);
  const missing = selected.filter((entry): entry is string => typeof entry === 'string');
  if (missing.length > 0) {
    context.stderr.write(`no letter ${missing.join(', ')} in ${config.dlqTopic}\n`);
    return EXIT.ATTENTION;
  }
  const chosen = selected as DeadLetterView[];
  if (chosen.length === 0) {
    const line = `nothing to replay: all ${letters.length} letters of ${config.dlqTopic} were replayed`;
    context.stdout.write(
      values.json ? `${JSON.stringify({ replayed: 0, letters: letters.length })}\n` : `${line}\n`,
    );
    return EXIT.OK;
  }
  const references = chosen.filter((letter) => letter.reference || letter.origin === null);
  const replayable = chosen.filter((letter) => !references.includes(letter));
  const redis = await connectRedis(config.redis);
  const outcomes: { id: string; outcome: string }[] = [];
  let deleted = 0;
  let truncated = 0;
  const replayedIds = new Set<string>();
  try {
    // One letter at a time, in DLQ order: each outcome is its own, and a letter that still
    // fails stops nothing else.
    for (const letter of replayable) {
      const applied = await applyMessages(
        [
          {
            topic: letter.origin!.topic,
            partition: letter.origin!.partition,
            offset: letter.origin!.offset,
            key: letter.key,
            value: letter.value,
            timestamp: Date.now(),
          },
        ],
        rules,
        redis,
        { refreshesAsDeletes: true },
      );
      deleted += applied.deleted;
      truncated += applied.truncated;
      if (applied.failed.length > 0) {
        outcomes.push({
          id: letter.id,
          outcome: `still fails: ${applied.failed[0]!.errorCode} ${applied.failed[0]!.errorMessage}`,
        });
        continue;
      }
      replayedIds.add(letter.id);
      outcomes.push({
        id: letter.id,
        outcome:
          applied.skipped > 0
            ? 'skipped: the rules have no rule for its table'
            : `applied: ${applied.deleted} key${applied.deleted === 1 ? '' : 's'} deleted${applied.truncated > 0 ? `, ${applied.truncated} unlinked by a truncate` : ''}${letter.replayed ? ' (replayed before: deletes are idempotent)' : ''}`,
      });
    }
  } finally {
    redis.disconnect();
  }
  for (const letter of references)
    outcomes.push({
      id: letter.id,
      outcome: `not replayed: a reference to ${originText(letter) ?? 'a message'} that did not fit the DLQ; run freshen backfill for its table instead`,
    });
  if (values.all) await moveReplayMark(config, letters, replayedIds);
  const failed = outcomes.length - replayedIds.size;
  if (values.json)
    context.stdout.write(
      `${JSON.stringify({ replayed: replayedIds.size, failed, keysDeleted: deleted, keysTruncated: truncated, letters: outcomes }, null, 2)}\n`,
    );
  else
    context.stdout.write(
      `${formatTable(outcomes, ['id', 'outcome'])}\nreplayed ${replayedIds.size} of ${chosen.length} letters: ${deleted} keys deleted${truncated > 0 ? `, ${truncated} unlinked` : ''}${failed > 0 ? `; ${failed} not replayed` : ''}\n`,
    );
  return failed > 0 ? EXIT.ATTENTION : EXIT.OK;
}

/** Per partition, the mark moves past every letter up to the first that was not replayed. */
async function moveReplayMark(
  config: CliConfig,
  letters: DeadLetterView[],
  replayedIds: Set<string>,
): Promise<void> {
  const marks = new Map<number, bigint>();
  const blocked = new Set<number>();
  for (const letter of letters) {
    if (blocked.has(letter.partition)) continue;
    if (letter.replayed || replayedIds.has(letter.id))
      marks.set(letter.partition, letter.offset + 1n);
    else blocked.add(letter.partition);
  }
  if (marks.size === 0) return;
  const admin = new KafkaAdmin(requireKafka(config));
  try {
    await admin.commit(dlqReplayGroup(config.groupId), config.dlqTopic, marks);
  } finally {
    await admin.close().catch(() => {});
  }
}
