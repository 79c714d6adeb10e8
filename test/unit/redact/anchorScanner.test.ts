import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnchorScanner } from '../../../src/redact/anchorScanner';
import { KeywordAutomaton } from '../../../src/redact/keywordAutomaton';
import { Rng } from './fakeSecrets';

function naive(text: string, anchors: readonly string[]): string[] {
  const hits: string[] = [];
  for (const a of anchors) {
    for (let i = text.indexOf(a); i >= 0; i = text.indexOf(a, i + 1)) hits.push(`${i}:${a}`);
  }
  return hits.sort();
}

test('the scanner reports exactly the occurrences a naive search finds, for every kind of anchor', () => {
  const anchors = [
    '=', ':', '--', '://', 'ab', 'abc', 'b', 'bca', 'Q~', '~', 'x_', '_y', 'eyJ', 'AK', 'AKIA', 'KIA',
    'dapi', 'api', 'reassert', 'é-x', 'ü', 'aaaa', 'zz.z', '[R:',
  ];
  const scanner = new AnchorScanner(anchors.map((anchor) => ({ anchor, owner: anchor })));
  const rng = new Rng(99);
  const alphabet = 'abcdeyzJAKIQ~_-=:/.x[R éü' + 'reast' + 'pi';
  for (let round = 0; round < 200; round++) {
    let text = rng.chars(alphabet, 1 + rng.int(300));
    // Plant anchors, also overlapping and at both ends.
    for (let k = 0; k < 5; k++) {
      const a = anchors[rng.int(anchors.length)] ?? '';
      const at = rng.int(text.length + 1);
      text = text.slice(0, at) + a + text.slice(at);
    }
    const seen: string[] = [];
    scanner.scan(text, (owner, at, anchor) => {
      assert.equal(owner, anchor);
      seen.push(`${at}:${anchor}`);
    });
    assert.deepEqual(seen.sort(), naive(text, anchors), JSON.stringify(text));
  }
});

test('an anchor made only of common letters is found through the fallback alternation', () => {
  const scanner = new AnchorScanner([{ anchor: 'reassert', owner: 1 }, { anchor: 'rea', owner: 2 }]);
  const seen: string[] = [];
  scanner.scan('a reassertion, a reason', (owner, at) => seen.push(`${owner}@${at}`));
  assert.deepEqual(seen.sort(), ['1@2', '2@17', '2@2']);
});

test('the keyword automaton finds its words in any case and only inside the given range', () => {
  const k = new KeywordAutomaton(['pass', 'pw', 'token', 'key']);
  const yes = ['PASSWORD', 'db_pw', 'accessToken', 'API_KEY', 'x-api-key', 'sessionTOKEN2', 'ppass'];
  const no = ['name', 'p_w', 'tok', 'ke', 'passé'.slice(0, 3), 'monk_ey'];
  for (const w of yes) assert.equal(k.test(w, 0, w.length), true, w);
  for (const w of no) assert.equal(k.test(w, 0, w.length), false, w);
  assert.equal(k.test('xxPASSxx', 3, 8), false);
  assert.equal(k.test('xxPASSxx', 2, 6), true);
});
