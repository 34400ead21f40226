// Logical keys (src/core/pathKey.ts): lexical validation of repo-relative paths.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyError, keyFromAbsolute, toKey } from '../../src/core/pathKey';

test('canonical keys: POSIX separators, no dots, NFC', () => {
  assert.equal(toKey('src/a.ts'), 'src/a.ts');
  assert.equal(toKey('./src//a.ts'), 'src/a.ts');
  assert.equal(toKey('src\\win\\a.ts'), 'src/win/a.ts');
  assert.equal(toKey('src/x/../a.ts'), 'src/a.ts');
  // "é" as e + combining accent (NFD) and as one code point (NFC) are the same key.
  assert.equal(toKey('caf\u0065\u0301.md'), toKey('caf\u00e9.md'));
  assert.equal(toKey('caf\u0065\u0301.md'), 'caf\u00e9.md');
});

test('rejects what is not a file inside the repository, with a one-line reason naming the path', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /empty path/],
    ['a\0b', /NUL byte/],
    ['/etc/passwd', /absolute path/],
    ['C:\\x\\y', /absolute path/],
    ['../x', /\.\.\/x: escapes the repository/],
    ['src/../../x', /escapes the repository/],
    ['.git/config', /\.git\/config: git internals/],
    ['sub/.GIT/hooks/pre-commit', /git internals/],
    ['.', /names the repository root/],
    ['src/..', /names the repository root/],
  ];
  for (const [input, re] of cases) {
    assert.throws(() => toKey(input), (e: unknown) => e instanceof KeyError && re.test(e.message) && !e.message.includes('\n'), JSON.stringify(input));
  }
});

test('keys that merely contain ".git" in a name are fine', () => {
  assert.equal(toKey('.github/workflows/ci.yml'), '.github/workflows/ci.yml');
  assert.equal(toKey('docs/.gitignore'), 'docs/.gitignore');
  assert.equal(toKey('x.git'), 'x.git');
});

test('keyFromAbsolute: inside the worktree gives the key, outside throws', () => {
  assert.equal(keyFromAbsolute('/w/repo/src/a.ts', '/w/repo'), 'src/a.ts');
  assert.equal(keyFromAbsolute('src/a.ts', '/w/repo'), 'src/a.ts');
  assert.throws(() => keyFromAbsolute('/w/other/a.ts', '/w/repo'), /outside the repository/);
  assert.throws(() => keyFromAbsolute('/w/repo', '/w/repo'), /repository root/);
  assert.throws(() => keyFromAbsolute('/w/repo/.git/HEAD', '/w/repo'), /git internals/);
  assert.throws(() => keyFromAbsolute('/w/repo/a\0', '/w/repo'), /NUL/);
});

test('the same file in two worktrees has the same key', () => {
  assert.equal(keyFromAbsolute('/w/wt-a/src/x.ts', '/w/wt-a'), keyFromAbsolute('/w/wt-b/src/x.ts', '/w/wt-b'));
});
