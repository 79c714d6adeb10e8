import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * What the extension-host tests ask of the browser side (the harness drives the page with
 * Playwright): click a notification or dialog button, pick in a quick pick, read the status bar,
 * take a screenshot. Requests and answers are files in a folder both sides see.
 */
export type UiRequest =
  | { op: 'notification'; text: string; click?: string; screenshot?: string }
  | { op: 'dialog'; text: string; click?: string; screenshot?: string }
  | { op: 'quickpick'; select: string; screenshot?: string }
  | { op: 'statusbar'; expect: string; exact?: boolean; screenshot?: string }
  | { op: 'screenshot'; name: string };

export interface UiResponse {
  error?: string;
  message?: string;
  buttons?: string[];
  text?: string;
}

let counter = 0;

export async function ui(request: UiRequest, timeoutMs = 30_000): Promise<UiResponse> {
  const dir = process.env.E2E_UI_DIR!;
  const n = ++counter;
  const tmp = path.join(dir, `req-${n}.json.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(request));
  fs.renameSync(tmp, path.join(dir, `req-${n}.json`));
  const responseFile = path.join(dir, `res-${n}.json`);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (fs.existsSync(responseFile)) {
      const response = JSON.parse(fs.readFileSync(responseFile, 'utf8')) as UiResponse;
      if (response.error) {
        throw new Error(`UI ${request.op}: ${response.error}`);
      }
      return response;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`UI ${request.op} ${JSON.stringify(request)}: no answer within ${timeoutMs} ms`);
}
