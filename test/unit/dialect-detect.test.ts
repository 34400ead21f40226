// Every documented payload is recognised as its own agent's, with or without a wrong --agent hint.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HookInputError } from '../../src/agents/dialect';
import { detectDialect, dialectFor, dialects, parseHookInput } from '../../src/agents/registry';
import { AGENT_NAMES, type AgentName } from '../../src/core/model';
import { allPayloads, loadPayload, mutate } from '../fixtures/payloads/loadPayload';

const HINTS = AGENT_NAMES.filter((a) => a !== 'human') as AgentName[];
const fixtures = allPayloads();

describe('dialect detection matrix', () => {
  it('has fixtures for every dialect', () => {
    assert.deepEqual([...new Set(fixtures.map(([agent]) => agent))].sort(), [...dialects.map((d) => d.name)].sort());
    assert.ok(fixtures.length >= 60);
  });

  for (const [agent, name, payload] of fixtures) {
    it(`${agent}/${name} is ${agent}'s, with no hint and with every hint`, () => {
      assert.equal(detectDialect(payload).name, agent, 'no hint');
      for (const hint of HINTS) assert.equal(detectDialect(payload, hint).name, agent, `hint ${hint}`);
      // Exactly one dialect claims it: detection is unambiguous.
      assert.deepEqual(dialects.filter((d) => d.detect(payload)).map((d) => d.name), [agent]);
      // And it parses as that dialect.
      const opts = agent === 'windsurf' ? { cwd: '/home/dev/shop' } : undefined;
      assert.equal(dialectFor(agent as AgentName).parse(payload, opts).agent, agent);
    });
  }

  it("VS Code running Claude's hook (--agent claude) is answered as VS Code", () => {
    const payload = loadPayload('vscode', 'pre-replace-string');
    assert.equal(detectDialect(payload, 'claude').name, 'vscode');
  });

  it('a Claude-family session event without Codex-only fields follows the hint; without a hint it is Claude', () => {
    const generic = mutate(loadPayload('claude', 'session-start'), { transcript_path: '/srv/transcripts/abc.jsonl' });
    assert.equal(detectDialect(generic).name, 'claude');
    assert.equal(detectDialect(generic, 'codex').name, 'codex');
    assert.equal(detectDialect(generic, 'claude').name, 'claude');
    assert.equal(detectDialect(generic, 'gemini').name, 'claude');
  });

  it('Codex markers win over a claude hint: turn_id, apply_patch, null transcript', () => {
    assert.equal(detectDialect(loadPayload('codex', 'pre-bash'), 'claude').name, 'codex');
    assert.equal(detectDialect(loadPayload('codex', 'session-start-null-transcript'), 'claude').name, 'codex');
  });

  it('an unknown shape is a one-line HookInputError', () => {
    assert.throws(() => detectDialect({ hello: 'world' }), (e: unknown) => e instanceof HookInputError && e.message === 'payload matches no known agent hook format');
    assert.throws(() => dialectFor('human'), HookInputError);
  });

  it('parseHookInput reads stdin text end to end', () => {
    const { dialect, event } = parseHookInput(JSON.stringify(loadPayload('cursor', 'pre-tool-write')), 'claude');
    assert.equal(dialect.name, 'cursor');
    assert.equal(event.kind, 'pre-edit');
    assert.throws(() => parseHookInput('{not json'), (e: unknown) => e instanceof HookInputError && /^hook input is not JSON/.test(e.message));
    assert.throws(() => parseHookInput('[1,2]'), (e: unknown) => e instanceof HookInputError && e.message === 'hook input must be a JSON object');
  });
});
