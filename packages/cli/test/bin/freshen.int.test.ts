import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { freePort } from '@freshen/runtime';
import { stackSettings } from '@freshen/test-kit';
import { COMMANDS } from '../../src/commands/index.ts';
import { runFreshen } from '../run-freshen.ts';

const { databaseUrl, redisUrl } = stackSettings();

describe('the freshen executable', () => {
  it("lists every subcommand, and prints each one's usage with --help, exit 0", async () => {
    const overview = await runFreshen(['--help'], {});
    expect(overview.code).toBe(0);
    for (const command of COMMANDS) expect(overview.stdout).toContain(`  ${command.name} `);
    // Services too (regression: `freshen reader --help` started the reader instead).
    const helps = await Promise.all(
      COMMANDS.map((command) => runFreshen([command.name, '--help'], {})),
    );
    for (const [index, help] of helps.entries()) {
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`usage: freshen ${COMMANDS[index]!.name}`);
    }
  });

  it('exits 2 on an unknown command or option', async () => {
    const unknown = await runFreshen(['stauts'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "stauts"');
    const badOption = await runFreshen(['status', '--bogus'], {});
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("Unknown option '--bogus'");
  });

  it('runs the services through their own entry points: their configuration refusal, exit 78', async () => {
    const [reader, invalidator] = await Promise.all([
      runFreshen(['reader'], { DATABASE_URL: databaseUrl, SLOT_NAME: 'Not A Slot!' }),
      runFreshen(['invalidator'], { REDIS_URL: redisUrl }),
    ]);
    expect(reader.code).toBe(78);
    expect(reader.stdout + reader.stderr).toContain('SLOT_NAME');
    expect(invalidator.code).toBe(78);
    expect(invalidator.stdout + invalidator.stderr).toContain('RULES_MODULE is not set');
  });

  it('status with Kafka unreachable exits 1 and names Kafka', async () => {
    const run = await runFreshen(['status', '--interval-ms', '100'], {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /attention: Kafka unreachable: Kafka at 127\.0\.0\.1:\d+ did not answer/,
    );
  });

  // Regression: with the broker frozen (it accepts connections, answers nothing) status hung.
  it('status with a Kafka that accepts connections but never answers exits 1 naming Kafka', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => void sockets.add(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const run = await runFreshen(['status', '--interval-ms', '100'], {
        DATABASE_URL: databaseUrl,
        REDIS_URL: redisUrl,
        KAFKA_BROKERS: `127.0.0.1:${(silent.address() as AddressInfo).port}`,
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/attention: Kafka unreachable: .*no answer within 10 s/);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  }, 60_000);
});
