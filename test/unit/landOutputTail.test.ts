// `lockstep land` prints the failing check's last lines inline: bounded in lines and width.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outputTail } from '../../src/cli/commands/land';

test('the tail keeps the last 30 lines, cut at 300 characters, and says how many it left out', () => {
  const output = Array.from({ length: 100 }, (_, i) => `line ${i + 1}`).join('\n') + '\n' + 'x'.repeat(1000) + '\n\n';
  const t = outputTail(output);
  assert.equal(t.shown, 30);
  assert.equal(t.omitted, 71);
  assert.equal(t.lines[0], 'line 72');
  assert.equal(t.lines.at(-1), `${'x'.repeat(299)}…`);
  assert.deepEqual(outputTail(''), { lines: [], shown: 0, omitted: 0 });
  assert.deepEqual(outputTail('one line'), { lines: ['one line'], shown: 1, omitted: 0 });
});
