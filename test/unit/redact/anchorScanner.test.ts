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

test('neighbour rules turn away the same occurrences in the JavaScript and the WebAssembly scan', () => {
  const anchors = [
    { anchor: '=', owner: '=', neighbours: { notAfter: '=!<', notBefore: '=' } },
    { anchor: ':', owner: ':', skipBetween: '0123456789', neighbours: { notAfter: ':', notBefore: ':' } },
    { anchor: '://', owner: '://' },
    { anchor: 'sig=', owner: 'sig=' },
    { anchor: '--', owner: '--', neighbours: { onlyAfter: ' \t\n\0' } },
    { anchor: '-p', owner: '-p', neighbours: { onlyAfter: ' ' } },
    { anchor: 'sk-', owner: 'sk-' },
    { anchor: '",', owner: '",', neighbours: { onlyBefore: ' "\\' } },
    { anchor: 'key-', owner: 'key-' },
    { anchor: 'eyJ', owner: 'eyJ' },
    { anchor: 'hvs.', owner: 'hvs.' },
  ];
  const fits = (text: string, at: number, a: (typeof anchors)[number]): boolean => {
    const end = at + a.anchor.length;
    const prev = at > 0 ? text[at - 1] : '\0';
    const next = end < text.length ? text[end] : '\0';
    const n: { notAfter?: string; notBefore?: string; onlyAfter?: string; onlyBefore?: string } = a.neighbours ?? {};
    if (a.skipBetween !== undefined && a.skipBetween.includes(prev as string) && a.skipBetween.includes(next as string) && at > 0 && end < text.length) return false;
    if (n.notAfter !== undefined && at > 0 && n.notAfter.includes(prev as string)) return false;
    if (n.notBefore !== undefined && end < text.length && n.notBefore.includes(next as string)) return false;
    if (n.onlyAfter !== undefined && !n.onlyAfter.includes(prev as string)) return false;
    if (n.onlyBefore !== undefined && !n.onlyBefore.includes(next as string)) return false;
    return true;
  };
  const withKernel = new AnchorScanner(anchors);
  const withoutKernel = new AnchorScanner(anchors, anchors.length, false);
  const rng = new Rng(7);
  // ASCII texts (the kernel applies every rule) and texts with characters above U+00FF whose low
  // byte looks like an anchor's neighbour (the kernel leaves the not-… rules to JavaScript).
  for (const alphabet of ['=:!<-p "\\,\n\t0123456789skyJhvgi./a', '=:!<-p "\\,\n\t0123456789skyJhvgi./a\u013d\u013a\u0130\u0122']) {
    for (let round = 0; round < 300; round++) {
      const text = rng.chars(alphabet, 200 + rng.int(200));
      const expected: string[] = [];
      for (const a of anchors) for (let i = text.indexOf(a.anchor); i >= 0; i = text.indexOf(a.anchor, i + 1)) if (fits(text, i, a)) expected.push(`${i}:${a.anchor}`);
      for (const scanner of [withKernel, withoutKernel]) {
        const seen: string[] = [];
        scanner.scan(text, (owner, at) => seen.push(`${at}:${owner}`));
        assert.deepEqual(seen.sort(), expected.sort(), JSON.stringify(text));
      }
    }
  }
});
