// The shell command reader: which files a command obviously writes, and what it refuses to guess.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { scanShellWrites, type ShellScanOptions } from '../../src/agents/shellWrites';

const CWD = '/repo';
const DIRS = new Set(['/repo', '/repo/src', '/repo/dist', '/repo/sub', '/repo/sub/lib', '/tmp']);
const OPTS: ShellScanOptions = { cwd: CWD, isDirectory: (p) => DIRS.has(p) };

/** The absolute paths written, in order. */
function writes(command: string | string[], opts: ShellScanOptions = OPTS): string[] {
  return scanShellWrites(command, opts).writes.map((w) => w.path);
}
function unsure(command: string): string | undefined {
  return scanShellWrites(command, OPTS).unsure;
}
const abs = (...rel: string[]) => rel.map((r) => `${CWD}/${r}`);

describe('shellWrites: commands that write nothing', () => {
  for (const cmd of [
    'npm test',
    'ls -la src',
    'git status && git diff --stat',
    'grep -rn "a > b" src',
    "echo 'x >> y.ts'",
    'cat src/a.ts | head -20',
    'npm test 2>&1 | tail -5',
    'node script.js >/dev/null 2>&1',
    'make >& /dev/null',
    'cmd 2>/dev/stderr 1>/dev/stdout',
    'sed -n 1,20p src/a.ts',
    "sed 's/a/b/' src/a.ts",
    'cp', // no operands
    'wc -l < src/a.ts',
    'cat <<< "text"',
    'echo done # > src/a.ts is a comment',
    'tee', // copies stdin to stdout only
    'echo hi | tee',
    '',
    '   \n\n  ',
  ]) {
    it(JSON.stringify(cmd), () => {
      assert.deepEqual(writes(cmd), []);
      assert.equal(unsure(cmd), undefined);
    });
  }
});

describe('shellWrites: redirections', () => {
  const cases: [string, string[]][] = [
    ['echo x > src/a.ts', abs('src/a.ts')],
    ['echo x >> src/a.ts', abs('src/a.ts')],
    ['echo x>src/a.ts', abs('src/a.ts')],
    ['echo x >| src/a.ts', abs('src/a.ts')],
    ['make &> build.log', abs('build.log')],
    ['make &>> build.log', abs('build.log')],
    ['make 2> errors.txt', abs('errors.txt')],
    ['make 2>>errors.txt 1>out.txt', abs('errors.txt', 'out.txt')],
    ['make >& all.log', abs('all.log')],
    ['exec 3<> state.db', abs('state.db')],
    ['echo 2 > two.txt', abs('two.txt')], // `2` is an argument here, not an fd
    ['echo a2>x.txt', abs('x.txt')],
    ['> empty.txt', abs('empty.txt')],
    ['echo x > "my file.ts"', abs('my file.ts')],
    ["echo x > 'q\"uote.ts'", abs('q"uote.ts')],
    ['echo x > with\\ space.ts', abs('with space.ts')],
    ['echo x > /abs/path.ts', ['/abs/path.ts']],
    ['echo x > ./src/../src/a.ts', abs('src/a.ts')],
    ['echo "$(date)" >> log.txt', abs('log.txt')],
    ['echo `date` >> log.txt', abs('log.txt')],
    ['printf "%s\\n" "$HOME" > out.txt', abs('out.txt')],
    ['cat > src/new.ts <<\'EOF\'\nexport const a = 1; // > not a redirect\nEOF', abs('src/new.ts')],
    ['cat <<EOF > src/new.ts\nline $x > y\nEOF\necho next > b.txt', abs('src/new.ts', 'b.txt')],
    ['cat <<-EOF >a.txt\n\tindented\n\tEOF\n', abs('a.txt')],
    ['a > one.txt; b > two.txt && c > three.txt || d > four.txt', abs('one.txt', 'two.txt', 'three.txt', 'four.txt')],
    ['a | b > piped.txt', abs('piped.txt')],
    ['a > x.txt &\nb > y.txt', abs('x.txt', 'y.txt')],
    ['echo a \\\n  > continued.txt', abs('continued.txt')],
    ['echo x > a.ts > b.ts', abs('a.ts', 'b.ts')],
    ['echo x > a.ts; echo y >> a.ts', abs('a.ts')],
  ];
  for (const [cmd, expected] of cases) it(JSON.stringify(cmd), () => assert.deepEqual(writes(cmd), expected));

  it('names how each file is written', () => {
    assert.deepEqual(scanShellWrites('a >> x; b 2> y; c &> z; tee -a t < in', OPTS).writes, [
      { path: '/repo/x', via: '>>' },
      { path: '/repo/y', via: '2>' },
      { path: '/repo/z', via: '&>' },
      { path: '/repo/t', via: 'tee' },
    ]);
  });
});

describe('shellWrites: writing commands', () => {
  const cases: [string, string[]][] = [
    ['echo x | tee src/a.ts', abs('src/a.ts')],
    ['echo x | tee -a src/a.ts src/b.ts >/dev/null', abs('src/a.ts', 'src/b.ts')],
    ['tee --append=x', []], // not an option tee has: see the unsure tests
    ['sed -i s/a/b/ src/a.ts', abs('src/a.ts')],
    ["sed -i 's/a/b/' src/a.ts src/b.ts", abs('src/a.ts', 'src/b.ts')],
    ["sed -i.bak -e 's/a/b/' -e 's/c/d/' src/a.ts", abs('src/a.ts')],
    ["sed -ie 's/a/b/' src/a.ts", abs('src/a.ts')], // GNU: suffix "e", then the script
    ["sed --in-place=.orig -E 's/a+/b/' src/a.ts", abs('src/a.ts')],
    ["sed -i '' 's/a/b/' src/a.ts", abs('src/a.ts')], // BSD: empty suffix
    ["sed -n -i '/x/p' src/a.ts", abs('src/a.ts')],
    ['sed -i -f script.sed src/a.ts', abs('src/a.ts')],
    ['cp src/a.ts src/b.ts', abs('src/b.ts')],
    ['cp -f src/a.ts dist', abs('dist/a.ts')],
    ['cp src/a.ts src/b.ts dist/', abs('dist/a.ts', 'dist/b.ts')],
    ['cp -t dist src/a.ts src/b.ts', abs('dist/a.ts', 'dist/b.ts')],
    ['cp --target-directory=dist src/a.ts', abs('dist/a.ts')],
    ['cp -T src/a.ts newname', abs('newname')],
    ['cp -- -weird.ts b.ts', abs('b.ts')],
    ['mv src/a.ts src/b.ts', abs('src/a.ts', 'src/b.ts')],
    ['mv -f src/a.ts dist', abs('src/a.ts', 'dist/a.ts')],
    ['rm src/a.ts', abs('src/a.ts')],
    ['rm -f src/a.ts src/b.ts', abs('src/a.ts', 'src/b.ts')],
    ['/bin/rm -- -x.ts', abs('-x.ts')],
    ['touch src/new.ts', abs('src/new.ts')],
    ['touch -d "2 days ago" -c src/a.ts', abs('src/a.ts')],
    ['truncate -s 0 log.txt', abs('log.txt')],
    ['truncate --size=0 a b', abs('a', 'b')],
    ['LANG=C sed -i s/a/b/ src/a.ts', abs('src/a.ts')],
    ['sudo rm src/a.ts', abs('src/a.ts')],
    ['command rm src/a.ts', abs('src/a.ts')],
    ['env FOO=1 touch x.ts', abs('x.ts')],
    ['time -p rm x.ts', abs('x.ts')],
    ['! rm x.ts', abs('x.ts')],
    ["bash -c 'echo x > src/a.ts'", abs('src/a.ts')],
    ['sh -lc "rm src/a.ts && touch b.ts"', abs('src/a.ts', 'b.ts')],
    ['bash script.sh > out.txt', abs('out.txt')], // the script itself is not read
  ];
  for (const [cmd, expected] of cases) it(JSON.stringify(cmd), () => assert.deepEqual(writes(cmd), expected));
});

describe('shellWrites: apply_patch', () => {
  const patch = '*** Begin Patch\n*** Update File: src/a.ts\n@@\n-a\n+b\n*** Add File: src/new.ts\n+x\n*** Update File: src/old.ts\n*** Move to: src/moved.ts\n@@\n-c\n+d\n*** Delete File: src/gone.ts\n*** End Patch\n';
  it('a quoted heredoc names every file of the patch, Move to and Delete included', () => {
    assert.deepEqual(writes(`apply_patch <<'EOF'\n${patch}EOF\n`), abs('src/a.ts', 'src/new.ts', 'src/old.ts', 'src/moved.ts', 'src/gone.ts'));
  });
  it('an unquoted or "-" heredoc, a here-string, an argument, or an argv array', () => {
    assert.deepEqual(writes(`apply_patch <<EOF\n${patch}EOF`), abs('src/a.ts', 'src/new.ts', 'src/old.ts', 'src/moved.ts', 'src/gone.ts'));
    assert.deepEqual(writes(`apply_patch <<-'PATCH'\n${patch}PATCH`).length, 5);
    assert.deepEqual(writes(`apply_patch '${patch}'`).length, 5);
    assert.deepEqual(writes(['apply_patch', patch]).length, 5);
    assert.deepEqual(writes(['bash', '-lc', `apply_patch <<'EOF'\n${patch}EOF`]).length, 5);
  });
  it('relative to the directory a leading cd enters', () => {
    assert.deepEqual(writes(`cd sub && apply_patch <<'EOF'\n*** Begin Patch\n*** Update File: lib/x.ts\n@@\n-a\n+b\n*** End Patch\nEOF`), ['/repo/sub/lib/x.ts']);
  });
  it('patch lines inside a heredoc are never read as shell syntax', () => {
    const tricky = "*** Begin Patch\n*** Update File: a.ts\n@@\n-if (x) { y > z; }\n+echo 'unbalanced \" ( $(\n*** End Patch\n";
    const scan = scanShellWrites(`apply_patch <<'EOF'\n${tricky}EOF\necho ok > after.txt`, OPTS);
    assert.deepEqual(scan.writes.map((w) => w.path), abs('a.ts', 'after.txt'));
    assert.equal(scan.unsure, undefined);
  });
  it('a heredoc with no end delimiter takes the rest, as bash does', () => {
    assert.deepEqual(writes(`apply_patch <<'EOF'\n${patch}`).length, 5);
  });
});

describe('shellWrites: cd', () => {
  const cases: [string, string[]][] = [
    ['cd src && echo x > a.ts', ['/repo/src/a.ts']],
    ['cd /elsewhere; touch a.ts', ['/elsewhere/a.ts']],
    ['cd sub && cd lib && rm x.ts', ['/repo/sub/lib/x.ts']],
    ['cd src | echo x > a.ts', ['/repo/a.ts']], // cd in a pipeline changes nothing
    ['echo x > a.ts; cd src; echo y > a.ts', ['/repo/a.ts', '/repo/src/a.ts']],
    ['cd src && echo x > /abs.ts', ['/abs.ts']],
  ];
  for (const [cmd, expected] of cases) it(JSON.stringify(cmd), () => assert.deepEqual(writes(cmd), expected));
  it('a cd that cannot be followed makes later relative targets unsure, absolute ones still count', () => {
    for (const cmd of ['cd && rm a.ts', 'cd - && rm a.ts', 'cd $DIR && rm a.ts', 'false || cd src; rm a.ts', 'cd ~/x && rm a.ts', 'popd; rm a.ts']) {
      const scan = scanShellWrites(cmd, OPTS);
      assert.deepEqual(scan.writes, [], cmd);
      assert.match(scan.unsure ?? '', /not followed|depends on the shell/, cmd);
    }
    assert.deepEqual(writes('cd $DIR && rm /repo/a.ts'), ['/repo/a.ts']);
  });
});

describe('shellWrites: what it does not guess (unsure, nothing written)', () => {
  const whole: [string, RegExp][] = [
    ['(cd src && rm a.ts)', /subshell/],
    ['{ echo a; echo b; } > out.txt', /compound/],
    ['for f in *.ts; do sed -i s/a/b/ "$f"; done', /compound/],
    ['if true; then echo x > a.ts; fi', /compound/],
    ['while read l; do echo $l; done < in > out.txt', /compound/],
    ['case $x in a) echo > y;; esac', /compound|case/],
    ['f() { echo > a.ts; }', /subshell or function/],
    ['diff <(sort a) <(sort b) > d.txt', /process substitution/],
    ['tee >(cat) < x', /process substitution/],
    ["echo 'unclosed > a.ts", /unclosed quote/],
    ['echo "unclosed > a.ts', /unclosed quote/],
    ['echo `unclosed > a.ts', /unclosed backquote/],
    ['echo $(unclosed > a.ts', /unclosed/],
    ['echo x >', /without a target/],
    ['echo x > ; rm a', /without a target/],
    ['echo x > a.ts &&', /ends with/],
    ['&& rm a.ts', /without a command/],
    ['rm a.ts ;; rm b.ts', /case/],
    ['cat <<$END > a.ts\nx\n$END', /heredoc delimiter/],
    ['echo x ) > a.ts', /unbalanced/],
  ];
  for (const [cmd, why] of whole) {
    it(JSON.stringify(cmd), () => {
      const scan = scanShellWrites(cmd, OPTS);
      assert.deepEqual(scan.writes, []);
      assert.match(scan.unsure ?? '', why);
    });
  }
  const targets: [string, string[]][] = [
    ['echo x > $FILE', []],
    ['echo x > "$DIR/a.ts"', []],
    ['echo x > ${DIR}/a.ts', []],
    ['echo x > $(pick).ts', []],
    ['rm src/*.ts', []],
    ['rm src/a?.ts', []],
    ['rm src/[ab].ts', []],
    ['touch src/{a,b}.ts', []],
    ['echo x > ~/notes.txt', []],
    ["echo x > $'a\\tb'", []],
    ['rm -r dist', []], // a folder: the files inside are not listed
    ['rm -rf src', []],
    ['cp -r src dist', []],
    ['mv sub other', []],
    ['cp --parents src/a.ts dist', []],
    ['sed -i --unknown s/a/b/ a.ts', []],
    ['rm -X a.ts', []],
    ['sudo -u bob rm a.ts', []],
    ['apply_patch < patch.diff', []],
    ['bash -c "$SCRIPT" 2>/dev/null', []],
    ['echo x > $FILE; echo y > fixed.ts', abs('fixed.ts')],
  ];
  for (const [cmd, expected] of targets) {
    it(`target not guessed: ${JSON.stringify(cmd)}`, () => {
      const scan = scanShellWrites(cmd, OPTS);
      assert.deepEqual(scan.writes.map((w) => w.path), expected);
      assert.ok(scan.unsure || cmd.startsWith('sudo -u'), `says why: ${scan.unsure}`);
    });
  }
  it('quoted globs, tildes and dollars are literal file names', () => {
    assert.deepEqual(writes("rm 'src/*.ts' \"~x\" '$HOME'"), abs('src/*.ts', '~x', '$HOME'));
    assert.deepEqual(writes('rm src/\\*.ts'), abs('src/*.ts'));
    assert.deepEqual(writes("echo x > $'plain'"), abs('plain'));
  });
  it('nested shells stop at a depth', () => {
    const deep = `bash -c ${JSON.stringify(`bash -c ${JSON.stringify(`bash -c ${JSON.stringify(`bash -c ${JSON.stringify('rm a.ts')}`)}`)}`)}`;
    const scan = scanShellWrites(deep, OPTS);
    assert.deepEqual(scan.writes, []);
    assert.match(scan.unsure ?? '', /nested too deeply/);
  });
});

describe('shellWrites: robustness', () => {
  it('never throws, and every write is an absolute path, for any text', () => {
    const alphabet = ['a', 'x.ts', ' ', '\n', '>', '>>', '<', '<<', '|', '&', ';', '(', ')', "'", '"', '\\', '$', '`', '{', '}', '#', '2', '-', '-i', 'rm', 'cp', 'mv', 'sed', 'tee', 'cd', 'EOF', 'apply_patch', '*** Update File: p.ts'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }), (parts) => {
        const scan = scanShellWrites(parts.join(''), OPTS);
        for (const w of scan.writes) assert.ok(w.path.startsWith('/'), w.path);
      }),
      { numRuns: 1000 },
    );
  });
  it('reads a long command and a long heredoc to the end', () => {
    const big = `${'echo "a b c" | grep -v x && '.repeat(2000)}true > out.txt`;
    assert.deepEqual(writes(big), abs('out.txt'));
    const heredoc = `cat > big.txt <<'EOF'\n${'line > with $(stuff) `and` "quotes\n'.repeat(5000)}EOF`;
    assert.deepEqual(writes(heredoc), abs('big.txt'));
  });
});
