import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second (USER_HZ); 100 on every Linux build that matters here. */
const TICKS_PER_SECOND = 100;

/**
 * CPU-seconds (user + system) a process has used so far, from /proc/<pid>/stat; undefined when
 * it is gone. Benchmarks difference two readings to report CPU per million rows, a figure that
 * stays comparable when a shared machine makes wall-clock rates noisy.
 */
export function processCpuSeconds(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Busy and total CPU-seconds of the whole machine (all cores), from /proc/stat. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((sum, tick) => sum + tick, 0);
  // idle and iowait are the 4th and 5th figures.
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
}

/**
 * CPU-seconds used by a set of processes between start() and stop(), and the machine's busy
 * fraction meanwhile. Processes that appear later (a walsender) are added with track().
 */
export class CpuMeter {
  private readonly started = new Map<string, { pid: number; at: number }>();
  private machineAtStart = machineCpuSeconds();

  /** Starts (or restarts) counting for `name`; ignored when the process is gone. */
  track(name: string, pid: number): void {
    const at = processCpuSeconds(pid);
    if (at !== undefined) this.started.set(name, { pid, at });
  }

  restartMachine(): void {
    this.machineAtStart = machineCpuSeconds();
  }

  /** CPU-seconds per tracked name since track(), and the machine's busy share of all cores. */
  read(): { cpuSeconds: Record<string, number>; machineBusy: number } {
    const cpuSeconds: Record<string, number> = {};
    for (const [name, { pid, at }] of this.started) {
      const now = processCpuSeconds(pid);
      if (now !== undefined) cpuSeconds[name] = Number((now - at).toFixed(2));
    }
    const machine = machineCpuSeconds();
    const total = machine.total - this.machineAtStart.total;
    const busy = total > 0 ? (machine.busy - this.machineAtStart.busy) / total : 0;
    return { cpuSeconds, machineBusy: Number(busy.toFixed(3)) };
  }
}
