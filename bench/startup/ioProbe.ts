/**
 * Counts what a process does with the disk and the network, by wrapping the public `fs`,
 * `fs.promises`, `dns`, `net`, `http(s)` entry points and `fetch`. Installed before the extension's
 * bundle is required, so even functions the bundle captures at load time are the counting ones.
 * Counting is switched on per phase (module load, activate, after activate).
 */
import { createRequire } from 'node:module';

// The modules themselves, which the extension's bundle gets from `require` too — not the frozen
// namespace copies an `import * as` becomes in a bundle.
const nodeRequire = createRequire(__filename);
const dns = nodeRequire('node:dns') as typeof import('node:dns');
const fs = nodeRequire('node:fs') as typeof import('node:fs');
const http = nodeRequire('node:http') as typeof import('node:http');
const https = nodeRequire('node:https') as typeof import('node:https');
const net = nodeRequire('node:net') as typeof import('node:net');

/** Calls per entry point, e.g. `{ 'fs.readFileSync': 1, 'net.connect': 0 }`. */
export type Counts = Record<string, number>;

export interface IoProbe {
  /** Starts counting into a fresh phase; returns the counts object that fills up. */
  phase(name: string): Counts;
  /** Stops counting (calls still run, uncounted). */
  stop(): void;
  readonly phases: Readonly<Record<string, Counts>>;
}

/** Outbound network: a connection attempt or a name lookup. Listening is counted apart. */
const NETWORK = new Set(['net.Socket.connect', 'http.request', 'http.get', 'https.request', 'https.get', 'dns.lookup', 'dns.promises.lookup', 'fetch']);

export function isOutboundNetwork(name: string): boolean {
  return NETWORK.has(name) || name.startsWith('dns.resolve');
}

export function installIoProbe(): IoProbe {
  const phases: Record<string, Counts> = {};
  let current: Counts | undefined;

  const wrap = (owner: object, key: string, name: string | ((args: unknown[]) => string)): void => {
    const original = (owner as Record<string, unknown>)[key];
    if (typeof original !== 'function') return;
    const fn = original as (...args: unknown[]) => unknown;
    const counting = function (this: unknown, ...args: unknown[]): unknown {
      if (current) {
        const n = typeof name === 'string' ? name : name(args);
        current[n] = (current[n] ?? 0) + 1;
      }
      return fn.apply(this, args);
    };
    // Keep what hangs off the function (fs.realpathSync.native, util.promisify.custom).
    for (const k of Reflect.ownKeys(fn)) {
      if (k !== 'length' && k !== 'name' && k !== 'prototype') Object.defineProperty(counting, k, Object.getOwnPropertyDescriptor(fn, k) as PropertyDescriptor);
    }
    Object.defineProperty(owner, key, { value: counting, writable: true, configurable: true, enumerable: true });
  };

  // Every lower-case function of fs is an operation on the disk (upper case are classes).
  for (const key of Object.keys(fs)) {
    if (key !== 'promises' && /^[a-z]/.test(key)) wrap(fs, key, `fs.${key}`);
  }
  for (const key of Object.keys(fs.promises)) wrap(fs.promises, key, `fs.promises.${key}`);

  wrap(net.Socket.prototype, 'connect', 'net.Socket.connect');
  wrap(net.Server.prototype, 'listen', 'net.Server.listen');
  for (const key of ['request', 'get']) {
    wrap(http, key, `http.${key}`);
    wrap(https, key, `https.${key}`);
  }
  // `listen('127.0.0.1')` looks its address up too; an IP literal never leaves the process.
  const lookup = (prefix: string) => (args: unknown[]) => (net.isIP(String(args[0])) ? `${prefix} of an IP literal` : prefix);
  for (const key of Object.keys(dns)) {
    if (key === 'lookup' || key.startsWith('resolve')) wrap(dns, key, key === 'lookup' ? lookup('dns.lookup') : `dns.${key}`);
  }
  wrap(dns.promises, 'lookup', lookup('dns.promises.lookup'));
  wrap(globalThis, 'fetch', 'fetch');

  return {
    phase(name) {
      current = phases[name] = {};
      return current;
    },
    stop() {
      current = undefined;
    },
    phases,
  };
}

/** Sum of the counts whose name passes `filter`. */
export function total(counts: Counts, filter: (name: string) => boolean): number {
  return Object.entries(counts).reduce((n, [k, v]) => (filter(k) ? n + v : n), 0);
}
