import { Admin, type BaseOptions } from '@platformatic/kafka';
import { SECOND } from '@freshen/runtime';
import type { KafkaSecurity } from '@freshen/config';
import { securityOptions } from './kafka-security.ts';

/** Where and as whom to reach the cluster: the part every Kafka client of Freshen shares. */
export interface KafkaConnection {
  brokers: readonly string[];
  clientId: string;
  /** Milliseconds to wait for a TCP connection. Default 3 s. */
  connectTimeoutMs?: number;
  /** TLS and SASL; absent for a plain, unauthenticated cluster. */
  security?: KafkaSecurity;
}

/**
 * The options every @platformatic/kafka client (producer, consumer, admin) is built with, so
 * that a connection setting is decided in one place for the reader, the invalidator, the DLQ
 * producer and admin calls alike.
 */
export function kafkaClientOptions(
  connection: KafkaConnection,
): Pick<
  BaseOptions,
  'clientId' | 'bootstrapBrokers' | 'connectTimeout' | 'tls' | 'tlsServerName' | 'sasl'
> {
  return {
    clientId: connection.clientId,
    bootstrapBrokers: [...connection.brokers],
    connectTimeout: connection.connectTimeoutMs ?? 3 * SECOND,
    ...securityOptions(connection.security, connection.brokers),
  };
}

/** An admin client (topics, metadata, groups); `retries` bounds its own retries of a request. */
export function createKafkaAdmin(
  connection: KafkaConnection,
  retry: Pick<BaseOptions, 'retries' | 'retryDelay'> = {},
): Admin {
  return new Admin({ ...kafkaClientOptions(connection), ...retry });
}
