import { decodeEvent, type ChangeEvent } from '@freshen/change-event';
import { loadRuleSet, type CacheAction, type RuleSet } from '@freshen/rules';
import { readCliConfig, requireKafka, requireRules } from '../cli-config.ts';
import type { Command } from '../cli/command.ts';
import { EXIT } from '../cli/exit-codes.ts';
import { parseOptions, positiveInteger } from '../cli/parse-options.ts';
import { KafkaAdmin } from '../kafka/kafka-admin.ts';
import { readTopics } from '../kafka/topic-reader.ts';

export const tailCommand: Command = {
  name: 'tail',
  summary: 'follow change events live, filtered by table or key, with the keys each produces',
  usage: `usage: freshen tail [--table <schema.table>]... [--key <text>] [--from-beginning] [--limit N]
                    [--rules <module>] [--json]
  Follows every <TOPIC_PREFIX>.* change topic (those that exist when it starts) and prints each
  event: commit time, op, table, row key, LSN, and the keys and actions the rules produce
  (--rules or RULES_MODULE; without either, events only). Never commits: the invalidators are
  not disturbed. --key keeps events whose row key or a produced cache key contains the text.
  --json prints one JSON object per line. Stops on Ctrl-C or after --limit events.
  exit 0 stopped, 2 bad arguments, 3 Kafka unreachable, 78 bad configuration`,
  async run(context) {
    const { values } = parseOptions(context.argv, {
      table: { type: 'string', multiple: true },
      key: { type: 'string' },
      'from-beginning': { type: 'boolean' },
      limit: { type: 'string' },
      rules: { type: 'string' },
    });
    const limit = positiveInteger(values.limit, 'limit');
    const config = readCliConfig(context.env, context.cwd);
    const kafka = requireKafka(config);
    const rulesModule = values.rules ?? (config.rulesModule || undefined);
    const rules = rulesModule
      ? await loadRuleSet(requireRules(config, rulesModule), {
          cwd: context.cwd,
          setting: values.rules === undefined ? 'RULES_MODULE' : '--rules',
        })
      : undefined;
    const tables = values.table?.map((name) => (name.includes('.') ? name : `public.${name}`));
    const admin = new KafkaAdmin(kafka);
    let topics: string[];
    try {
      topics = (await admin.topicsWithPrefix(`${config.topicPrefix}.`)).filter(
        (topic) =>
          topic !== config.dlqTopic &&
          (tables === undefined ||
            tables.some((table) => topic === `${config.topicPrefix}.${table}`)),
      );
    } finally {
      await admin.close().catch(() => {});
    }
    if (topics.length === 0) {
      context.stderr.write(
        `no change topics ${config.topicPrefix}.${tables ? `{${tables.join(',')}}` : '*'} yet: is the reader running with TOPIC_PREFIX=${config.topicPrefix}?\n`,
      );
      return EXIT.ATTENTION;
    }
    context.stderr.write(`following ${topics.length} topics; Ctrl-C stops\n`);
    const stop = new AbortController();
    context.signal.addEventListener('abort', () => stop.abort(), { once: true });
    let shown = 0;
    for await (const message of readTopics({
      connection: kafka,
      topics,
      from: values['from-beginning'] ? 'earliest' : 'latest',
      signal: stop.signal,
    })) {
      let event: ChangeEvent;
      try {
        event = decodeEvent(message.value);
      } catch (error) {
        context.stdout.write(
          values.json
            ? `${JSON.stringify({ topic: message.topic, partition: message.partition, offset: message.offset.toString(), undecodable: (error as Error).message })}\n`
            : `${message.topic}/${message.partition}@${message.offset} undecodable: ${(error as Error).message}\n`,
        );
        continue;
      }
      const actions = rules ? actionsOf(rules, event) : [];
      const rowKey = message.key?.toString('utf8') ?? '';
      if (
        values.key !== undefined &&
        !rowKey.includes(values.key) &&
        !actions.some((action) => 'key' in action && action.key.includes(values.key!))
      )
        continue;
      context.stdout.write(
        values.json
          ? `${JSON.stringify({ topic: message.topic, partition: message.partition, offset: message.offset.toString(), op: event.op, table: `${event.schema}.${event.table}`, key: event.key, lsn: event.lsn, ts: event.ts, actions })}\n`
          : `${new Date(event.ts).toISOString()} ${event.op.padEnd(8)} ${event.schema}.${event.table} ${JSON.stringify(event.key)} lsn ${event.lsn}\n${actions
              .map(
                (action) =>
                  `    ${action.kind.padEnd(8)} ${'key' in action ? action.key : action.patterns.join(' ')}\n`,
              )
              .join('')}`,
      );
      if (limit !== undefined && ++shown >= limit) stop.abort();
    }
    return EXIT.OK;
  },
};

type TailAction =
  | { kind: CacheAction['kind']; key: string }
  | { kind: 'truncate'; patterns: string[] }
  | { kind: 'rule-failed'; key: string };

/** What the invalidator would do with the event (the rule's error message names no row values). */
function actionsOf(rules: RuleSet, event: ChangeEvent): TailAction[] {
  if (!rules.hasTable(event.schema, event.table)) return [];
  try {
    if (event.op === 'truncate')
      return [{ kind: 'truncate', patterns: rules.truncatePatterns(event.schema, event.table) }];
    return rules.evaluate(event).map((action) => ({ kind: action.kind, key: action.key }));
  } catch (error) {
    return [{ kind: 'rule-failed', key: (error as Error).message }];
  }
}
