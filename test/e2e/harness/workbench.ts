import type { Page } from 'playwright-core';

/** What a person does in the workbench: the command palette, dialogs, the status bar. */
const TIMEOUT_MS = 30_000;

export async function waitForWorkbench(page: Page): Promise<void> {
  await page.locator('#workbench\\.parts\\.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
}

export async function statusBarText(page: Page, expected: (text: string) => boolean): Promise<string> {
  const item = page.locator('#workbench\\.parts\\.statusbar .statusbar-item').filter({ hasText: 'Relay' }).first();
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const text = ((await item.textContent({ timeout: TIMEOUT_MS })) ?? '').trim();
    if (expected(text) || Date.now() > deadline) {
      return text;
    }
    await page.waitForTimeout(100);
  }
}

/** F1, type the command's title, run it. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } }).catch(() => {});
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: TIMEOUT_MS });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: TIMEOUT_MS });
  await page.keyboard.press('Enter');
}

export async function dialog(page: Page, text: string): Promise<{ text: string; buttons: string[]; click(label: string): Promise<void> }> {
  const box = page.locator('.monaco-dialog-box').filter({ hasText: text }).first();
  await box.waitFor({ state: 'visible', timeout: TIMEOUT_MS });
  return {
    text: (await box.locator('.dialog-message-container').innerText()).trim(),
    buttons: (await box.locator('.dialog-buttons .monaco-button').allTextContents()).map((b) => b.trim()),
    async click(label: string) {
      await box.locator('.dialog-buttons .monaco-button').filter({ hasText: label }).first().click();
      await box.waitFor({ state: 'hidden', timeout: TIMEOUT_MS });
    },
  };
}
