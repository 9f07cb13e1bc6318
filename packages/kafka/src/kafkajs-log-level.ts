import { logLevel } from 'kafkajs';

export type PinoLevel = 'error' | 'warn' | 'info' | 'debug';

/**
 * Kafka protocol errors that kafkajs logs at error level although they are routine: the group
 * coordinating itself (every join and rebalance) and metadata moving under a client that
 * retries on its own. kafkajs's log entry carries only the protocol error's message (its
 * `error` field), so that text, copied from kafkajs's own table (src/protocol/error.js,
 * kafkajs 2.2), is the data we map from.
 */
const ROUTINE_REPLIES: Record<string, PinoLevel> = {
  // REBALANCE_IN_PROGRESS: heartbeats and commits answer this on every rebalance.
  'The group is rebalancing, so a rejoin is needed': 'info',
  // MEMBER_ID_REQUIRED: the first JoinGroup of every member (KIP-394).
  'The group member needs to have a valid member id before actually entering a consumer group':
    'debug',
  // ILLEGAL_GENERATION: a commit or heartbeat from the generation a rebalance just ended.
  'Specified group generation id is not valid': 'info',
  // TOPIC_ALREADY_EXISTS: two processes creating the same topic; both get it.
  'Topic with this name already exists': 'debug',
  // Metadata moving (a broker restarting, a new topic, an election); kafkajs retries these.
  'The coordinator is not aware of this member': 'warn',
  'This server does not host this topic-partition': 'warn',
  'There is no leader for this topic-partition as we are in the middle of a leadership election':
    'warn',
  'This server is not the leader for that topic-partition': 'warn',
  'This is not the correct coordinator for this group': 'warn',
  'The group coordinator is not available': 'warn',
  "The coordinator is loading and hence can't process requests for this group": 'warn',
  'This is not the correct controller for this cluster': 'warn',
};

/**
 * kafkajs's own messages for trouble it retries by itself (a broker away, a consumer it
 * restarts): worth a warning, not an error. What is left at error is what it gave up on.
 */
const RETRIED_BY_KAFKAJS: readonly RegExp[] = [
  /^Connection error: /,
  /^Connection timeout$/,
  /^Failed to connect to broker, reconnecting$/,
  /^Restarting the consumer in \d+ms$/,
];

/** kafkajs's own lines about a rebalance it is handling. */
const ROUTINE_MESSAGES: Record<string, PinoLevel> = {
  'The group is rebalancing, re-joining': 'info',
};

/**
 * The level a kafkajs log entry really has. Wired into the kafkajs logCreator, so that a
 * routine rebalance ("The group is rebalancing, so a rejoin is needed", logged by kafkajs at
 * error for every heartbeat that meets it) no longer reads as an outage. A level is only
 * ever lowered, never raised.
 */
export function kafkajsLogLevel(
  level: logLevel,
  log: { message?: string; error?: unknown },
): PinoLevel {
  const given = KAFKAJS_LEVELS[level] ?? 'info';
  const reply =
    (typeof log.error === 'string' ? ROUTINE_REPLIES[log.error] : undefined) ??
    ROUTINE_MESSAGES[log.message ?? ''];
  const retried = RETRIED_BY_KAFKAJS.some((pattern) => pattern.test(log.message ?? ''));
  const mapped = reply ?? (retried ? 'warn' : given);
  return RANK[mapped] < RANK[given] ? mapped : given;
}

const KAFKAJS_LEVELS: Record<number, PinoLevel> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

const RANK: Record<PinoLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
