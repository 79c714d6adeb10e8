import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRemoteUrl } from '../../../src/repo/remoteUrl';

test('every remote URL form git accepts names the same repository', () => {
  const forms = [
    'https://github.com/Octo-Org/Hello-World.git',
    'https://github.com/octo-org/hello-world',
    'https://github.com/octo-org/hello-world/',
    'https://user:tok@github.com/octo-org/hello-world.git',
    'http://www.github.com/octo-org/hello-world',
    'git@github.com:octo-org/hello-world.git',
    'git@github.com:octo-org/hello-world',
    'github.com:octo-org/hello-world.git',
    'ssh://git@github.com/octo-org/hello-world.git',
    'ssh://git@github.com:22/octo-org/hello-world',
    'git://github.com/octo-org/hello-world.git',
    '  https://GitHub.com/octo-org/hello-world.git/  ',
  ];
  for (const url of forms) {
    assert.equal(parseRemoteUrl(url)?.key, 'github.com/octo-org/hello-world', url);
  }
  assert.deepEqual(parseRemoteUrl('git@github.com:Octo-Org/Hello-World.git'), {
    host: 'github.com',
    owner: 'Octo-Org',
    repo: 'Hello-World',
    slug: 'Octo-Org/Hello-World',
    key: 'github.com/octo-org/hello-world',
  });
});

test('GitHub Enterprise hosts are recognised only when configured', () => {
  assert.equal(parseRemoteUrl('https://ghe.example.com/team/app.git'), undefined);
  const ref = parseRemoteUrl('git@ghe.example.com:team/app.git', { enterpriseHosts: ['https://ghe.example.com/'] });
  assert.equal(ref?.key, 'ghe.example.com/team/app');
  assert.equal(parseRemoteUrl('ssh://git@GHE.example.com:2222/team/app', { enterpriseHosts: ['ghe.example.com'] })?.slug, 'team/app');
});

test('anything that is not a GitHub repository gives undefined', () => {
  for (const url of [
    '',
    'not a url',
    '/home/me/repos/app',
    'file:///home/me/repos/app.git',
    'https://gitlab.com/octo-org/hello-world.git',
    'https://github.com/octo-org',
    'https://github.com/octo-org/hello-world/tree/main',
    'https://github.com/octo-org/..',
    'C:\\repos\\app',
  ]) {
    assert.equal(parseRemoteUrl(url), undefined, url);
  }
});
