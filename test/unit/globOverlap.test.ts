import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import picomatch from 'picomatch';
import { ScopeIndex, globsMayOverlap, overlap, scopesMayOverlap } from '../../src/core/globOverlap';

const TRACKED = [
  'README.md',
  'package.json',
  'src/api/routes.ts',
  'src/api/refresh.ts',
  'src/api/.env.example',
  'src/auth/session.ts',
  'src/auth/session.test.ts',
  'src/web/app.ts',
  'src/web/app.css',
  'src',
  'docs/api.md',
  'test/api/routes.test.ts',
];

describe('overlap over tracked files', () => {
  it('lists the shared files and the glob pairs responsible', () => {
    const o = overlap(['src/api/**', 'docs/**'], ['src/**/*.ts', 'README.md'], TRACKED);
    assert.deepEqual(o.files, ['src/api/refresh.ts', 'src/api/routes.ts']);
    assert.equal(o.fileCount, 2);
    assert.deepEqual(o.byGlobs, [['src/api/**', 'src/**/*.ts']]);
    assert.equal(o.overlapping, true);
  });

  it('finds nothing for disjoint scopes', () => {
    const o = overlap(['src/api/**'], ['src/web/**', 'docs/**'], TRACKED);
    assert.deepEqual(o.files, []);
    assert.deepEqual(o.byGlobs, []);
    assert.deepEqual(o.symbolic, []);
    assert.equal(o.overlapping, false);
  });

  it('matches like picomatch with dot files (as the lease table does), including a globstar base itself', () => {
    const index = new ScopeIndex(TRACKED);
    assert.deepEqual(index.matches('src/api/**'), ['src/api/.env.example', 'src/api/refresh.ts', 'src/api/routes.ts']);
    assert.deepEqual(index.matches('src/**').includes('src'), picomatch('src/**', { dot: true })('src'));
    assert.deepEqual(index.matches('./docs/*.md'), ['docs/api.md']);
    assert.deepEqual(index.matches('package.json'), ['package.json']);
    assert.deepEqual(index.matches('nothing/here'), []);
    assert.deepEqual(index.matches('**/*.test.ts'), ['src/auth/session.test.ts', 'test/api/routes.test.ts']);
    assert.deepEqual(index.matches('src/{api,web}/*.ts'), ['src/api/refresh.ts', 'src/api/routes.ts', 'src/web/app.ts']);
  });

  it('reports overlap symbolically for files that do not exist yet', () => {
    const o = overlap(['src/api/new.ts'], ['src/api/**'], TRACKED);
    assert.deepEqual(o.files, []);
    assert.deepEqual(o.symbolic, [['src/api/new.ts', 'src/api/**']]);
    assert.equal(o.overlapping, true);
  });

  it('computes each glob once per index', () => {
    const index = new ScopeIndex(TRACKED);
    index.overlap(['src/**/*.ts'], ['src/api/**']);
    index.overlap(['src/**/*.ts'], ['src/web/**']);
    index.overlaps(['src/api/**'], ['src/web/**']);
    assert.equal(index.stats.globsCompiled, 3);
    assert.equal(index.inScope(['src/**/*.ts'], 'src/web/app.ts'), true);
    assert.equal(index.inScope(['src/**/*.ts'], 'src/web/new.ts'), true, 'untracked files are matched by pattern');
    assert.equal(index.inScope(['src/**/*.ts'], 'src/web/app.css'), false);
  });

  it('agrees with picomatch on random globs over random files', () => {
    const seg = fc.constantFrom('src', 'api', 'web', 'a.ts', 'b.js', '.env', 'x');
    const file = fc.array(seg, { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
    const globSeg = fc.constantFrom('src', 'api', 'web', '*', '**', '*.ts', 'a.*', '.env', '?', 'x', '{api,web}', '[ab].*');
    const glob = fc.array(globSeg, { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
    fc.assert(
      fc.property(fc.array(file, { maxLength: 40 }), glob, (files, g) => {
        const index = new ScopeIndex(files);
        const m = picomatch(g, { dot: true });
        const expected = [...new Set(files)].filter((f) => m(f)).sort();
        assert.deepEqual(index.matches(g), expected);
      }),
      { numRuns: 400 },
    );
  });
});

describe('symbolic overlap', () => {
  const yes: [string, string][] = [
    ['src/api/**', 'src/api/new.ts'],
    ['src/**', 'src/api/**'],
    ['**', 'anything/at/all.ts'],
    ['src/*.ts', 'src/index.ts'],
    ['src/**/*.ts', 'src/x.ts'],
    ['src/**/*.ts', 'src/a/b/c.ts'],
    ['**/*.ts', 'src/**'],
    ['src/*/x.ts', 'src/api/*'],
    ['src/a*', 'src/*b'],
    ['src', 'src/**'],
    ['src/{api,web}/**', 'src/api/x.ts'],
    ['./src/**', 'src/x'],
  ];
  const no: [string, string][] = [
    ['src/api/**', 'src/web/**'],
    ['src/api/x.ts', 'src/api/y.ts'],
    ['src/**/*.ts', 'src/**/*.js'],
    ['src/*.ts', 'src/a/b.ts'],
    ['src/*', 'src/a/b'],
    ['docs/**', 'src/**'],
    ['src/a*.ts', 'src/b*.ts'],
    ['src/api/**/*.test.ts', 'src/api/**/*.css'],
    ['src/x.ts', 'src/x.ts/y/**/z'],
    ['{a,b}/**', 'c/**'],
  ];
  for (const [a, b] of yes) {
    it(`${a} and ${b} may overlap`, () => {
      assert.equal(globsMayOverlap(a, b), true);
      assert.equal(globsMayOverlap(b, a), true);
    });
  }
  for (const [a, b] of no) {
    it(`${a} and ${b} cannot overlap`, () => {
      assert.equal(globsMayOverlap(a, b), false);
      assert.equal(globsMayOverlap(b, a), false);
    });
  }

  it('lists the overlapping glob pairs of two scopes', () => {
    assert.deepEqual(scopesMayOverlap(['src/api/**', 'docs/**'], ['docs/api.md', 'src/web/**']), [['docs/**', 'docs/api.md']]);
  });

  it('is conservative: never says disjoint when some path matches both (property)', () => {
    const globSeg = fc.constantFrom('a', 'b', 'ab', '*', '**', '*.ts', 'a*', '*b', '?', 'a.ts', '[ab]', '{a,b}', 'b.*');
    const glob = fc.array(globSeg, { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
    const pathSeg = fc.constantFrom('a', 'b', 'ab', 'a.ts', 'b.ts', 'ba', 'x.ts', '.a');
    const file = fc.array(pathSeg, { minLength: 1, maxLength: 5 }).map((s) => s.join('/'));
    fc.assert(
      fc.property(glob, glob, fc.array(file, { minLength: 1, maxLength: 30 }), (g1, g2, files) => {
        const m1 = picomatch(g1, { dot: true });
        const m2 = picomatch(g2, { dot: true });
        const witness = files.find((f) => m1(f) && m2(f));
        if (witness !== undefined) assert.equal(globsMayOverlap(g1, g2), true, `${g1} and ${g2} both match ${witness}`);
      }),
      { numRuns: 3000 },
    );
  });
});
