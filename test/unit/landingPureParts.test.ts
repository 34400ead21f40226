// Pure parts of the git layer and landing engine: output capping, name validation, porcelain parsing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CappedOutput } from '../../src/git/checkCommand';
import { branchNameProblem, validateTaskId, assertBranchName } from '../../src/git/refNames';
import { parsePorcelainV2 } from '../../src/git/status';
import { parseNameStatusZ } from '../../src/git/mergeTree';
import { firstMessageLine } from '../../src/git/gitRunner';

test('CappedOutput keeps everything under the cap, else the head and tail with the omitted count', () => {
  const small = new CappedOutput(100);
  small.add(Buffer.from('hello '));
  small.add(Buffer.from('world'));
  assert.equal(small.text(), 'hello world');
  assert.equal(small.truncated, false);

  const big = new CappedOutput(20);
  big.add(Buffer.from('HEAD-0123456789'));
  for (let i = 0; i < 1000; i++) big.add(Buffer.from('middle '));
  big.add(Buffer.from('0123456789-TAIL'));
  const text = big.text();
  assert.equal(big.truncated, true);
  assert.equal(big.total, 15 + 7000 + 15);
  assert.equal(text, `HEAD-01234\n[... ${7030 - 20} bytes omitted ...]\n56789-TAIL`);
});

test('task ids: strict allow-list; branch names: git check-ref-format rules', () => {
  for (const ok of ['api', 'a.b', 'A_1-x', '0']) assert.equal(validateTaskId(ok), ok);
  for (const bad of ['', 'a b', 'a;b', '$x', '`x`', 'a/b', '.a', '-a', 'a..b', 'a.lock', 'é', 'a'.repeat(65), 'a.']) {
    assert.throws(() => validateTaskId(bad), /^InvalidNameError: taskId: .* is not a valid task id/);
  }
  for (const ok of ['main', 'lockstep/api', 'tâche/été-1', 'feature/x.y']) assert.equal(branchNameProblem(ok), undefined, ok);
  const bad: [string, RegExp][] = [
    ['has space', /space/],
    ['a..b', /'\.\.'/],
    ['a/.hidden', /starting with '\.'/],
    ['x.lock', /'\.lock'/],
    ['a//b', /empty path component/],
    ['-x', /starts with '-'/],
    ['a@{1}', /'@\{'/],
    ['x~1', /~/],
    ['refs/heads/main', /short branch name/],
    ['trailing.', /ends with '\.'/],
    ['@', /empty/],
  ];
  for (const [name, re] of bad) assert.match(branchNameProblem(name) ?? '', re, name);
  assert.throws(() => assertBranchName('a b', 'target'), /^InvalidNameError: target: "a b" is not a valid branch name \(contains a space/);
});

test('parsePorcelainV2 reads ordinary, renamed, unmerged and untracked records, keeping spaces in paths', () => {
  const z = [
    '# branch.oid abc',
    '1 .M N... 100644 100644 100644 aaaa bbbb src/a file.ts',
    '1 A. N... 000000 100644 100644 0000 cccc new.ts',
    '1 .D N... 100644 100644 000000 aaaa aaaa gone.ts',
    '2 R. N... 100644 100644 100644 aaaa aaaa R100 to é.ts',
    'from.ts',
    'u UU N... 100644 100644 100644 100644 h1 h2 h3 both.ts',
    '1 .M S.M. 160000 160000 160000 aaaa aaaa vendor/lib',
    '? untracked dir/x.txt',
    '! ignored.log',
    '',
  ].join('\0');
  assert.deepEqual(parsePorcelainV2(z), [
    { key: 'src/a file.ts', kind: 'modified', staged: false, unstaged: true, submodule: false },
    { key: 'new.ts', kind: 'added', staged: true, unstaged: false, submodule: false },
    { key: 'gone.ts', kind: 'deleted', staged: false, unstaged: true, submodule: false },
    { key: 'to é.ts', kind: 'renamed', from: 'from.ts', staged: true, unstaged: false, submodule: false },
    { key: 'both.ts', kind: 'unmerged', staged: true, unstaged: true, submodule: false },
    { key: 'vendor/lib', kind: 'modified', staged: false, unstaged: true, submodule: true },
    { key: 'untracked dir/x.txt', kind: 'untracked', staged: false, unstaged: true, submodule: false },
  ]);
  // NFD input becomes an NFC key
  assert.equal(parsePorcelainV2('? e\u0301.txt\0')[0].key, '\u00e9.txt');
});

test('parseNameStatusZ reads renames with their source path', () => {
  assert.deepEqual(parseNameStatusZ('M\0a.ts\0R087\0old name.ts\0new name.ts\0A\0b.ts\0D\0c.ts\0'), [
    { key: 'a.ts', status: 'modified' },
    { key: 'new name.ts', status: 'renamed', from: 'old name.ts' },
    { key: 'b.ts', status: 'added' },
    { key: 'c.ts', status: 'deleted' },
  ]);
});

test('firstMessageLine picks the fatal/error line of git stderr', () => {
  assert.equal(firstMessageLine('hint: something\nfatal: the real problem\n'), 'fatal: the real problem');
  assert.equal(firstMessageLine('\n  warning: only this\n'), 'warning: only this');
  assert.equal(firstMessageLine(''), '');
});
