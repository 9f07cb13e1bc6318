/**
 * Variables that are never taken for a misspelt Freshen variable, whatever they look like:
 * the shell's, the Node and npm tooling's, container platforms', and those of the programs
 * Freshen sits next to (libpq, Kafka's own scripts).
 */
const ORDINARY_NAMES = new Set([
  'PATH',
  'HOME',
  'HOSTNAME',
  'PWD',
  'OLDPWD',
  'SHELL',
  'SHLVL',
  'TERM',
  'USER',
  'LOGNAME',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'CI',
  'INIT_CWD',
  'FORCE_COLOR',
  'NO_COLOR',
  'EDITOR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  // Kafka's own start scripts (kafka-run-class.sh), often in a shared compose env file.
  'KAFKA_HEAP_OPTS',
  'KAFKA_OPTS',
  'KAFKA_JVM_PERFORMANCE_OPTS',
  'KAFKA_LOG4J_OPTS',
  'KAFKA_GC_LOG_OPTS',
  'KAFKA_JMX_OPTS',
  'KAFKA_DEBUG',
]);

const ORDINARY_PREFIXES = [
  'npm_',
  'NPM_',
  'NODE_',
  'KUBERNETES_',
  'LC_',
  'XDG_',
  'SSH_',
  'GITHUB_',
  'RUNNER_',
  'JEST_',
  'TURBO_',
  'DOCKER_',
  'JAVA_',
  'MAVEN_',
  'KAFKAJS_',
];

// Kubernetes (and legacy Docker links) inject one set per Service: a Service named "redis"
// gives REDIS_SERVICE_HOST, REDIS_PORT=tcp://..., REDIS_PORT_6379_TCP_ADDR and so on.
const SERVICE_LINK =
  /^[A-Z0-9_]+_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?)?)$/;

// libpq's own variables (PGHOST, PGPASSWORD, PGSSLMODE...), which node-postgres also reads.
const LIBPQ = /^PG[A-Z]+$/;

export function isOrdinaryVariable(name: string): boolean {
  return (
    ORDINARY_NAMES.has(name.toUpperCase()) ||
    ORDINARY_PREFIXES.some((prefix) => name.startsWith(prefix)) ||
    SERVICE_LINK.test(name) ||
    LIBPQ.test(name)
  );
}
