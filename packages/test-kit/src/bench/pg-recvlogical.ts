import { spawn } from 'node:child_process';

/**
 * The physical floor of the benchmarks: pg_recvlogical draining a pgoutput slot up to
 * `endLsn` into /dev/null. One implementation, so the reader and the whole-pipeline benchmarks
 * compare against the same floor. `--no-loop` fails instead of reconnecting, so a lost
 * connection cannot pass for a slow drain. Resolves with the seconds it took.
 */
export async function drainWithPgRecvlogical(
  databaseUrl: string,
  slot: string,
  publication: string,
  endLsn: string,
): Promise<number> {
  const started = performance.now();
  const child = spawn(
    'pg_recvlogical',
    [
      '-d',
      databaseUrl,
      '--slot',
      slot,
      '--start',
      '-o',
      'proto_version=1',
      '-o',
      `publication_names=${publication}`,
      `--endpos=${endLsn}`,
      '--no-loop',
      '-f',
      '/dev/null',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`pg_recvlogical exited ${code}: ${stderr}`);
  return (performance.now() - started) / 1000;
}
