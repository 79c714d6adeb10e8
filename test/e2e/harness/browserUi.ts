import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { UiRequest, UiResponse } from '../suite/uiBridge';

const STEP_TIMEOUT_MS = 20_000;

/**
 * Serves the extension-host tests' UI requests (see suite/uiBridge.ts) on the workbench page until
 * `stop()`: notifications, dialogs, quick picks, the status bar, screenshots into `shotsDir`.
 */
export function serveUiRequests(page: Page, uiDir: string, shotsDir: string, log: (m: string) => void): { stop(): Promise<void>; screenshots: string[] } {
  let running = true;
  const screenshots: string[] = [];
  const shot = async (name: string | undefined) => {
    if (name) {
      const file = path.join(shotsDir, `${name}.png`);
      await page.screenshot({ path: file });
      screenshots.push(file);
    }
  };

  const handle = async (request: UiRequest): Promise<UiResponse> => {
    switch (request.op) {
      case 'screenshot':
        await shot(request.name);
        return {};
      case 'statusbar': {
        const item = page.locator('#workbench\\.parts\\.statusbar .statusbar-item').filter({ hasText: 'Relay' }).first();
        const deadline = Date.now() + STEP_TIMEOUT_MS;
        let text = '';
        for (;;) {
          text = ((await item.textContent({ timeout: STEP_TIMEOUT_MS })) ?? '').trim();
          if (request.exact ? text === request.expect : text.includes(request.expect)) {
            break;
          }
          if (Date.now() > deadline) {
            return { error: `status bar says "${text}", expected ${request.exact ? '' : 'to contain '}"${request.expect}"` };
          }
          await page.waitForTimeout(100);
        }
        await shot(request.screenshot);
        return { text };
      }
      case 'notification': {
        // A toast, or — when the workbench sent it straight to the notification center (it does
        // while extension tests run) — the same item in the center, opened from the bell.
        const item = page.locator('.notification-toast .notification-list-item, .notifications-center .notification-list-item').filter({ hasText: request.text }).first();
        const visible = await item.waitFor({ state: 'visible', timeout: 3_000 }).then(
          () => true,
          () => false,
        );
        if (!visible) {
          await page.locator('#workbench\\.parts\\.statusbar .statusbar-item[id*="notifications"] .statusbar-item-label').first().click();
          await item.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
        }
        const message = ((await item.locator('.notification-list-item-message').textContent()) ?? '').trim();
        const buttonLocator = item.locator('.notification-list-item-buttons-container .monaco-button');
        const buttons = (await buttonLocator.allTextContents()).map((b) => b.trim());
        await shot(request.screenshot);
        if (request.click) {
          await buttonLocator.filter({ hasText: request.click }).first().click();
          await item.waitFor({ state: 'detached', timeout: STEP_TIMEOUT_MS });
        }
        return { message, buttons };
      }
      case 'dialog': {
        const dialog = page.locator('.monaco-dialog-box').filter({ hasText: request.text }).first();
        await dialog.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
        const text = ((await dialog.locator('.dialog-message-container').innerText()) ?? '').trim();
        const buttons = (await dialog.locator('.dialog-buttons .monaco-button').allTextContents()).map((b) => b.trim());
        await shot(request.screenshot);
        if (request.click) {
          await dialog.locator('.dialog-buttons .monaco-button').filter({ hasText: request.click }).first().click();
          await dialog.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
        }
        return { text, buttons };
      }
      case 'quickpick': {
        const widget = page.locator('.quick-input-widget');
        await widget.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
        const row = widget.locator('.monaco-list-row').filter({ hasText: request.select }).first();
        await row.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
        await shot(request.screenshot);
        await row.click();
        return {};
      }
    }
  };

  const loop = (async () => {
    let next = 1;
    while (running) {
      const file = path.join(uiDir, `req-${next}.json`);
      if (!fs.existsSync(file)) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      const request = JSON.parse(fs.readFileSync(file, 'utf8')) as UiRequest;
      let response: UiResponse;
      try {
        response = await handle(request);
      } catch (err) {
        response = { error: err instanceof Error ? err.message.split('\n')[0] : String(err) };
        await shot(`failure-${next}-${request.op}`).catch(() => {});
      }
      log(`ui ${request.op}: ${response.error ? `error ${response.error}` : 'ok'}`);
      fs.writeFileSync(path.join(uiDir, `res-${next}.json.tmp`), JSON.stringify(response));
      fs.renameSync(path.join(uiDir, `res-${next}.json.tmp`), path.join(uiDir, `res-${next}.json`));
      next++;
    }
  })();

  return {
    screenshots,
    async stop() {
      running = false;
      await loop;
    },
  };
}
