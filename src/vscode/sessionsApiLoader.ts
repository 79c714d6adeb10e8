import * as path from 'node:path';
// Type-only: a value import would bundle the destination (and undici) into dist/extension.js.
import type * as SessionsApiBundle from '../sinks/sessionsApiBundle';

/** What dist/sessionsApi.js exports (src/sinks/sessionsApiBundle.ts). */
export type SessionsApiModule = typeof SessionsApiBundle;

let loaded: SessionsApiModule | undefined;

/**
 * The Sessions API destination, from its own bundle next to dist/extension.js: loaded the first
 * time `sessionRelay.endpoint` is set, never at start-up otherwise (SPEC §10).
 */
export function loadSessionsApi(): SessionsApiModule {
  // A computed path: esbuild leaves this require alone, so the module is not inlined.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require(path.join(__dirname, 'sessionsApi.js')) as SessionsApiModule;
  return loaded;
}
