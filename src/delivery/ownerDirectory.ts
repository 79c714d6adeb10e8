import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { processAlive, syncDirectory, writeFileDurably } from './journalRecords';

const LOCK = 'owner.json';

export interface OwnedDirectory {
  /** This process's own directory (fresh, empty), locked by `owner.json`. */
  readonly dir: string;
  /** Directories of processes that are gone, already renamed away so no other process takes them. */
  readonly adopted: readonly string[];
  /** Releases the lock and deletes the directory when nothing in it is needed any more. */
  release(removeContents: boolean): Promise<void>;
}

/**
 * One journal directory per process under `root`, with an owner lock holding the pid (SPEC §8:
 * one spool per VS Code process). Directories whose owner is gone (crashed, killed) are adopted:
 * renamed atomically first, so when two windows start together only one of them takes each.
 */
export async function claimOwnedDirectory(root: string): Promise<OwnedDirectory> {
  await fs.mkdir(root, { recursive: true, mode: 0o700 });
  const name = `p${process.pid}-${Date.now().toString(36)}`;
  const dir = path.join(root, name);
  // Built under a hidden name and renamed into place with its lock: another process never sees
  // the directory without a lock (which would make it look abandoned).
  const staging = path.join(root, `.${name}`);
  await fs.mkdir(staging, { mode: 0o700 });
  await writeFileDurably(path.join(staging, LOCK), JSON.stringify({ pid: process.pid, started: new Date().toISOString() }));
  await fs.rename(staging, dir);
  const adopted: string[] = [];
  for (const entry of (await fs.readdir(root, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || entry.name === name || entry.name.startsWith('.')) continue;
    const other = path.join(root, entry.name);
    let pid = 0;
    try {
      pid = (JSON.parse(await fs.readFile(path.join(other, LOCK), 'utf8')) as { pid: number }).pid;
    } catch {
      // No readable lock: a directory half-created by a crash, or one being adopted right now.
      if (entry.name.startsWith('adopt-')) {
        const holder = Number(/^adopt-p(\d+)-/.exec(entry.name)?.[1]);
        if (processAlive(holder)) continue;
      }
    }
    if (processAlive(pid)) continue;
    const target = path.join(root, `adopt-${name}-${entry.name.replace(/^adopt-/, '')}`);
    try {
      await fs.rename(other, target);
      adopted.push(target);
    } catch {
      // Another process adopted it first.
    }
  }
  await syncDirectory(root);
  return {
    dir,
    adopted,
    async release(removeContents) {
      if (removeContents) {
        await fs.rm(dir, { recursive: true, force: true });
      } else {
        await fs.rm(path.join(dir, LOCK), { force: true });
      }
    },
  };
}

/** Journal segment files of a directory, oldest first. */
export async function segmentFiles(dir: string, prefix: string): Promise<string[]> {
  const names = (await fs.readdir(dir)).filter((n) => n.startsWith(prefix) && n.endsWith('.log')).sort();
  return names.map((n) => path.join(dir, n));
}
