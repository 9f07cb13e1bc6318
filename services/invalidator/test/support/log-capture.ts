import { createLogger, type Logger } from '@freshen/runtime';

export interface CapturedLine {
  level: number;
  msg: string;
  fields: Record<string, unknown>;
}

/**
 * A logger that keeps its lines in memory instead of printing them, so a test can assert what
 * an operator would read (level 50 = error, 40 = warn, 30 = info). Set TEST_LOG_LEVEL to also see them.
 */
export function captureLogger(): { logger: Logger; lines: CapturedLine[]; text(): string } {
  const lines: CapturedLine[] = [];
  const echo = process.env.TEST_LOG_LEVEL !== undefined;
  const logger = createLogger('invalidator-test', {
    level: 'info',
    hooks: {
      logMethod(args, method, level) {
        const [first, second] = args as unknown[];
        const fields =
          typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : {};
        const msg = typeof first === 'string' ? first : typeof second === 'string' ? second : '';
        lines.push({ level, msg, fields });
        if (echo) method.apply(this, args);
      },
    },
  });
  return { logger, lines, text: () => lines.map((line) => `${line.level} ${line.msg}`).join('\n') };
}

/** GET an ops endpoint; resolves with the status and the parsed JSON body. */
export async function getOps(
  port: number,
  path: '/readyz' | '/healthz',
): Promise<{ status: number; body: { ok: boolean; details?: Record<string, unknown> } }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: (await response.json()) as never };
}
