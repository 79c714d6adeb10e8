/**
 * The baseline for the bundle's size: what the extension would ship without bundling — every
 * package its production dependencies pull in, as installed in node_modules (files on disk).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Manifest {
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Node's lookup: `name` in the node_modules of `from`, then of each folder above, up to `root`. */
function locate(name: string, from: string, root: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (dir === root || path.dirname(dir) === dir) return undefined;
  }
}

/** Bytes of a package's own files; its nested node_modules are counted as packages of their own. */
function packageBytes(dir: string): number {
  let bytes = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) bytes += packageBytes(full);
    else if (entry.isFile()) bytes += fs.statSync(full).size;
  }
  return bytes;
}

/** Packages and bytes of the production dependency closure of the project at `root`. */
export function dependencyFootprint(root: string): { packages: number; bytes: number } {
  const seen = new Set<string>();
  const queue: string[] = [root];
  let bytes = 0;
  while (queue.length > 0) {
    const dir = queue.shift() as string;
    const manifest = readManifest(dir);
    for (const name of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
      const found = locate(name, dir, root);
      if (found === undefined || seen.has(found)) continue;
      seen.add(found);
      bytes += packageBytes(found);
      queue.push(found);
    }
  }
  return { packages: seen.size, bytes };
}
