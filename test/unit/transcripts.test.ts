import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { claudeProjectDirFor, parseClaudeTranscriptLine } from '../../src/agents/transcripts/claudeTranscript';
import { parseCodexRolloutLine } from '../../src/agents/transcripts/codexTranscript';

const CWD = '/home/dev/shop';
const CS = '8f2c1a4e-6b1d-4c3e-9a7f-2d5e8b0c1f34';
const line = (o: unknown) => JSON.stringify(o);

const claudeBase = { parentUuid: 'p-1', isSidechain: false, userType: 'external', cwd: CWD, sessionId: CS, version: '2.0.14', gitBranch: 'main' };

describe('claudeProjectDirFor', () => {
  it('replaces every non-alphanumeric character of the cwd with "-"', () => {
    assert.equal(claudeProjectDirFor('/home/dev/my_app.v2', { HOME: '/home/dev' }), '/home/dev/.claude/projects/-home-dev-my-app-v2');
  });
  it('honours CLAUDE_CONFIG_DIR', () => {
    assert.equal(claudeProjectDirFor(CWD, { HOME: '/home/dev', CLAUDE_CONFIG_DIR: '/cfg/claude' }), '/cfg/claude/projects/-home-dev-shop');
  });
});

describe('parseClaudeTranscriptLine', () => {
  it('assistant tool_use of Edit, Write, MultiEdit, NotebookEdit are edit calls, Bash a shell call, each with its id; the line has its own time', () => {
    const r = parseClaudeTranscriptLine(
      line({
        ...claudeBase,
        type: 'assistant',
        uuid: 'u-2',
        timestamp: '2025-11-03T10:00:00.000Z',
        requestId: 'req_011',
        message: {
          id: 'msg_01',
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5',
          content: [
            { type: 'text', text: 'Raising the page size.' },
            { type: 'tool_use', id: 'toolu_1', name: 'Edit', input: { file_path: `${CWD}/src/api.ts`, old_string: '10', new_string: '50' } },
            { type: 'tool_use', id: 'toolu_2', name: 'Write', input: { file_path: `${CWD}/src/new.ts`, content: 'x' } },
            { type: 'tool_use', id: 'toolu_3', name: 'MultiEdit', input: { file_path: `${CWD}/src/cart.ts`, edits: [] } },
            { type: 'tool_use', id: 'toolu_4', name: 'NotebookEdit', input: { notebook_path: `${CWD}/nb.ipynb`, new_source: 'x' } },
            { type: 'tool_use', id: 'toolu_5', name: 'Bash', input: { command: 'echo hi > out.txt' } },
            { type: 'tool_use', id: 'toolu_6', name: 'Edit', input: { file_path: 42 } },
          ],
          stop_reason: 'tool_use',
          usage: { input_tokens: 10, output_tokens: 20 },
        },
      }),
    );
    assert.deepEqual(r, {
      sessionId: CS,
      cwd: CWD,
      at: Date.parse('2025-11-03T10:00:00.000Z'),
      edits: [
        { path: `${CWD}/src/api.ts`, tool: 'Edit', toolUseId: 'toolu_1' },
        { path: `${CWD}/src/new.ts`, tool: 'Write', toolUseId: 'toolu_2' },
        { path: `${CWD}/src/cart.ts`, tool: 'MultiEdit', toolUseId: 'toolu_3' },
        { path: `${CWD}/nb.ipynb`, tool: 'NotebookEdit', toolUseId: 'toolu_4' },
      ],
      shells: [{ command: 'echo hi > out.txt', tool: 'Bash', toolUseId: 'toolu_5' }],
      results: [],
    });
  });
  it('user lines give tool results: refused ones (is_error) marked, with their text', () => {
    const r = parseClaudeTranscriptLine(
      line({
        ...claudeBase,
        type: 'user',
        uuid: 'u-1',
        timestamp: '2025-11-03T10:00:02.500Z',
        message: {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' },
            { type: 'tool_result', tool_use_id: 'toolu_2', is_error: true, content: [{ type: 'text', text: 'PreToolUse:Write hook error: src/new.ts is held by codex session 3f2a' }] },
            { type: 'tool_result', content: 'no id' },
          ],
        },
      }),
    );
    assert.deepEqual(r, {
      sessionId: CS,
      cwd: CWD,
      at: Date.parse('2025-11-03T10:00:02.500Z'),
      edits: [],
      shells: [],
      results: [
        { toolUseId: 'toolu_1', isError: false, text: 'ok' },
        { toolUseId: 'toolu_2', isError: true, text: 'PreToolUse:Write hook error: src/new.ts is held by codex session 3f2a' },
      ],
    });
  });
  it('summary and snapshot lines, unknown shapes and corrupt lines give undefined, never throw', () => {
    for (const l of [
      line({ type: 'summary', summary: 'Page size', leafUuid: 'u-9' }),
      line({ type: 'file-history-snapshot', messageId: 'm', snapshot: { trackedFileBackups: {} } }),
      line({ hello: 'world' }),
      line([1, 2, 3]),
      'null',
      '{"type":"assistant","sessionId":',
      'not json at all',
      '',
    ]) {
      assert.equal(parseClaudeTranscriptLine(l), undefined, l);
    }
    const none = { sessionId: CS, cwd: CWD, edits: [], shells: [], results: [] };
    assert.deepEqual(parseClaudeTranscriptLine(line({ ...claudeBase, type: 'assistant', message: 'corrupt' })), none);
    assert.deepEqual(parseClaudeTranscriptLine(line({ ...claudeBase, type: 'assistant', timestamp: 'not a time', message: { content: [null, 3, { type: 'tool_use' }] } })), none);
  });
});

const XS = '019a3b5e-7c21-7f40-8e2d-5b9c1d0a4e67';
const PATCH = '*** Begin Patch\n*** Update File: src/api.ts\n*** Move to: src/http/api.ts\n@@\n-a\n+b\n*** Add File: src/flags.ts\n+x\n*** End Patch\n';

describe('parseCodexRolloutLine', () => {
  it('session_meta gives the session id and cwd; turn_context the cwd', () => {
    assert.deepEqual(
      parseCodexRolloutLine(
        line({
          timestamp: '2025-11-03T10:12:44.120Z',
          type: 'session_meta',
          payload: { id: XS, timestamp: '2025-11-03T10:12:44.101Z', cwd: CWD, originator: 'codex_cli_rs', cli_version: '0.53.0', instructions: null, git: { commit_hash: 'abc', branch: 'main' } },
        }),
      ),
      { sessionId: XS, cwd: CWD, at: Date.parse('2025-11-03T10:12:44.120Z'), edits: [] },
    );
    assert.deepEqual(
      parseCodexRolloutLine(line({ timestamp: 't', type: 'turn_context', payload: { cwd: `${CWD}/sub`, approval_policy: 'on-request', sandbox_policy: { mode: 'workspace-write' }, model: 'gpt-5-codex' } })),
      { cwd: `${CWD}/sub`, edits: [] },
    );
  });
  it('patch_apply_end: every changed absolute path, move targets included', () => {
    const r = parseCodexRolloutLine(
      line({
        timestamp: '2025-11-03T10:13:02.500Z',
        type: 'event_msg',
        payload: {
          type: 'patch_apply_end',
          call_id: 'call_Qm7d1X',
          turn_id: '019a3b5e-8d02',
          stdout: 'Success. Updated the following files:\nM src/http/api.ts\nA src/flags.ts\nD src/legacy.ts\n',
          stderr: '',
          success: true,
          changes: {
            [`${CWD}/src/api.ts`]: { type: 'update', unified_diff: '@@ -1 +1 @@\n-a\n+b\n', move_path: `${CWD}/src/http/api.ts` },
            [`${CWD}/src/flags.ts`]: { type: 'add', content: 'x\n' },
            [`${CWD}/src/legacy.ts`]: { type: 'delete', content: 'old\n' },
          },
          status: 'completed',
        },
      }),
    );
    assert.deepEqual(r, {
      at: Date.parse('2025-11-03T10:13:02.500Z'),
      edits: [
        { path: `${CWD}/src/api.ts`, tool: 'apply_patch', status: 'applied' },
        { path: `${CWD}/src/http/api.ts`, tool: 'apply_patch', status: 'applied' },
        { path: `${CWD}/src/flags.ts`, tool: 'apply_patch', status: 'applied' },
        { path: `${CWD}/src/legacy.ts`, tool: 'apply_patch', status: 'applied' },
      ],
    });
  });
  it('a failed patch records no edit', () => {
    const r = parseCodexRolloutLine(line({ timestamp: 't', type: 'event_msg', payload: { type: 'patch_apply_end', call_id: 'c', stdout: '', stderr: 'context mismatch', success: false, changes: { [`${CWD}/a.ts`]: { type: 'update', unified_diff: '' } } } }));
    assert.deepEqual(r, { edits: [] });
  });
  it('apply_patch calls (function_call, custom_tool_call, shell argv) are requested edits', () => {
    const expected = { edits: ['src/api.ts', 'src/http/api.ts', 'src/flags.ts'].map((p) => ({ path: p, tool: 'apply_patch', status: 'requested' })) };
    assert.deepEqual(parseCodexRolloutLine(line({ timestamp: 't', type: 'response_item', payload: { type: 'function_call', name: 'apply_patch', arguments: JSON.stringify({ input: PATCH }), call_id: 'c1' } })), expected);
    assert.deepEqual(parseCodexRolloutLine(line({ timestamp: 't', type: 'response_item', payload: { type: 'custom_tool_call', status: 'completed', call_id: 'c2', name: 'apply_patch', input: PATCH } })), expected);
    assert.deepEqual(
      parseCodexRolloutLine(line({ timestamp: 't', type: 'response_item', payload: { type: 'function_call', name: 'shell', arguments: JSON.stringify({ command: ['apply_patch', PATCH], workdir: CWD }), call_id: 'c3' } })),
      expected,
    );
  });
  it('shell calls and their outputs (paired by call_id), with the exit code telling a failure', () => {
    assert.deepEqual(
      parseCodexRolloutLine(line({ timestamp: '2025-11-03T10:14:00.000Z', type: 'response_item', payload: { type: 'function_call', name: 'shell', arguments: JSON.stringify({ command: ['bash', '-lc', 'echo x >> src/b.ts'] }), call_id: 'c9' } })),
      { at: Date.parse('2025-11-03T10:14:00.000Z'), edits: [], shells: [{ command: 'bash -lc echo x >> src/b.ts', tool: 'shell', toolUseId: 'c9' }] },
    );
    assert.deepEqual(
      parseCodexRolloutLine(line({ timestamp: 't', type: 'response_item', payload: { type: 'function_call_output', call_id: 'c9', output: JSON.stringify({ output: '', metadata: { exit_code: 1 } }) } })),
      { edits: [], results: [{ toolUseId: 'c9', isError: true, text: JSON.stringify({ output: '', metadata: { exit_code: 1 } }) }] },
    );
  });
  it('other calls, messages, unknown types and corrupt lines give undefined', () => {
    for (const l of [
      line({ timestamp: 't', type: 'response_item', payload: { type: 'function_call', name: 'read_file', arguments: JSON.stringify({ path: 'x' }), call_id: 'c' } }),
      line({ timestamp: 't', type: 'response_item', payload: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'done' }] } }),
      line({ timestamp: 't', type: 'event_msg', payload: { type: 'agent_message', message: 'done' } }),
      line({ timestamp: 't', type: 'event_msg', payload: { type: 'token_count', info: null } }),
      line({ timestamp: 't', type: 'compacted', payload: { message: '' } }),
      line({ timestamp: 't', type: 'session_meta', payload: 'oops' }),
      line({ timestamp: 't', type: 'response_item', payload: { type: 'function_call', name: 'apply_patch', arguments: '{"input": 3}' } }),
      '{"timestamp":"t","type":"event_msg","payload":{"type":"patch_apply_end"',
      'garbage',
      '42',
    ]) {
      assert.equal(parseCodexRolloutLine(l), undefined, l);
    }
  });
  it('the oldest rollout format (first line {id, timestamp}) gives the session id', () => {
    assert.deepEqual(parseCodexRolloutLine(line({ id: XS, timestamp: '2025-05-01T09:00:00Z', instructions: '' })), { sessionId: XS, cwd: undefined, edits: [] });
  });
});
