import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { copilotExportText, FIXTURE_PATH } from '../fixtures/generateFixtures';

test('the committed Copilot export fixture is what the generator makes (run `npm run fixtures` after changing it)', () => {
  assert.equal(fs.readFileSync(FIXTURE_PATH, 'utf8'), copilotExportText());
});
