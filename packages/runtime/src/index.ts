export { backoffDelay, type BackoffOptions } from './backoff.ts';
export { ERROR_CODES, type ErrorCode } from './errors/error-codes.ts';
export { FreshenError, isFreshenError } from './errors/freshen-error.ts';
export { CloseList } from './lifecycle/close-list.ts';
export { EXIT_CODES, exitCodeFor } from './lifecycle/exit-codes.ts';
export {
  logClientErrors,
  type ClientErrorOptions,
  type ErrorEmitter,
} from './logging/client-errors.ts';
export {
  runService,
  type RunningService,
  type RunServiceOptions,
} from './lifecycle/run-service.ts';
export { createLogger, type Logger } from './logger.ts';
export { freePort } from './net/free-port.ts';
export {
  tlsCertificateProblemOf,
  type TlsCertificateProblem,
} from './net/tls-certificate-problem.ts';
export {
  startOpsServer,
  type HealthReport,
  type OpsServer,
  type OpsServerOptions,
} from './ops/ops-server.ts';
export {
  PROCESS_STATUS_FIGURES,
  STATUS_KEPT,
  STATUS_SAMPLE_INTERVAL,
  StatusHistory,
  type StatusFigure,
  type StatusSnapshot,
} from './ops/status/status-history.ts';
export { createServiceRegistry, type ServiceName } from './ops/service-registry.ts';
export { HOUR, MILLISECOND, MINUTE, SECOND, sleep } from './time.ts';
export { notYet, waitFor, type WaitForOptions } from './wait-for.ts';
