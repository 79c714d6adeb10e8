/**
 * CPU time of a process, user + system, in milliseconds: of this process through
 * `process.cpuUsage`, of a child through /proc/<pid>/stat (Linux, clock-tick resolution — 10 ms,
 * fine against runs of seconds). A child's figure thus covers every thread it runs (libuv's pool
 * for fsync and gzip included), as `process.cpuUsage` does for this one.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU milliseconds the process `pid` has used so far. */
export function childCpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat(5), utime and stime, are the 12th and 13th after the name.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / clockTicks();
}
