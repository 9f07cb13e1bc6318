import type { Command } from '../cli/command.ts';
import { EXIT } from '../cli/exit-codes.ts';

// The services run from this executable through their own entry points (one home each): the
// entry point reads the environment, handles signals and sets the exit code itself.

export const readerCommand: Command = {
  name: 'reader',
  summary: 'run the cdc-reader service (replication slot -> Kafka)',
  usage: `usage: freshen reader
  Runs services/cdc-reader exactly as \`npm start -w @freshen/cdc-reader\`: configured by its
  environment (see services/cdc-reader/README.md), /healthz, /readyz and /metrics on METRICS_PORT.
  exit 0 after a clean shutdown, 78 bad configuration, otherwise the service's own exit codes`,
  service: true,
  async run() {
    await import('@freshen/cdc-reader/main');
    return EXIT.OK;
  },
};

export const invalidatorCommand: Command = {
  name: 'invalidator',
  summary: 'run the invalidator service (Kafka -> rules -> Redis)',
  usage: `usage: freshen invalidator
  Runs services/invalidator exactly as \`npm start -w @freshen/invalidator\`: configured by its
  environment (see services/invalidator/README.md), /healthz, /readyz and /metrics on METRICS_PORT.
  exit 0 after a clean shutdown, 78 bad configuration, otherwise the service's own exit codes`,
  service: true,
  async run() {
    await import('@freshen/invalidator/main');
    return EXIT.OK;
  },
};
