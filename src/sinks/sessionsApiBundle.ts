/**
 * The entry of dist/sessionsApi.js: the Sessions API destination (SPEC §9.2) and what it needs —
 * the HTTP client (undici) and the repository-id service. The extension loads it only when
 * `sessionRelay.endpoint` is set (src/vscode/sessionsApiLoader.ts), so the half megabyte of undici
 * stays out of dist/extension.js and out of every VS Code start-up. The CLI bundles it inline.
 */
export { createSessionsApiSink } from './sessionsApiSink';
export { GithubIds } from '../repo/githubIds';
