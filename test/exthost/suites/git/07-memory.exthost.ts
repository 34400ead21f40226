// The decision log and messages in VS Code: a note the CLI writes appears in the Decision Log view
// (newest first, who, task, when); Send Message to Session… (its quick pick and input box answered)
// reaches the agent's `lockstep inbox`, and the Sessions view says a message waits until then;
// Add Note… writes as the user's session; Filter Decision Log… shows one task's notes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import type { LockstepTestApi } from '../../../../src/extension/testApi';
import { activate, claim, lockstep, lockstepAs, release, runCommand, waitFor } from '../../support/lockstep';
import { readTree, type TreeNode } from '../../support/tree';
import { UiStub } from '../../support/ui';

describe('the decision log and messages', () => {
  const ui = new UiStub();
  let api: LockstepTestApi;
  const sessionNode = (tree: TreeNode[], id: string) => tree.find((n) => n.id === `session:${id}`);

  before(async () => {
    api = await activate();
    ui.install();
    await waitFor('the coordinator to run', async () => api.serverState(), (s) => s === 'running', 60_000);
  });
  after(async () => {
    ui.restore();
    release('claude:dave');
  });

  it('shows a note the CLI adds, newest first, with who, task and when', async () => {
    lockstep('note', 'Dates are ISO 8601 strings in every API response', '--task', 'api', '--session', 'claude:carol');
    lockstep('note', 'No new runtime dependencies', '--session', 'human:ann');
    const tree = await waitFor('both notes in the Decision Log', () => readTree(api.decisionLogTree), (t) => t.some((n) => n.label === 'No new runtime dependencies'));
    const [newest, older] = tree;
    assert.equal(newest!.label, 'No new runtime dependencies');
    assert.match(newest!.description ?? '', /^#\d+ · human:ann · \d/);
    assert.equal(older!.label, 'Dates are ISO 8601 strings in every API response');
    assert.match(older!.description ?? '', /^#\d+ · claude session carol · task api · \d/);
    assert.match(older!.tooltip ?? '', /Dates are ISO 8601 strings in every API response[\s\S]*by claude:carol, task api/);
  });

  it("Send Message to Session… reaches the agent's inbox; the Sessions view says it waits until then", async () => {
    // A live agent session, holding a file no other test touches.
    claim('claude:dave', 'docs/decisions.md');
    await waitFor('claude:dave in Sessions & Locks', () => readTree(api.sessionsTree), (t) => sessionNode(t, 'claude:dave') !== undefined);
    const offered: string[] = [];
    ui.pick = (items) => {
      offered.push(...items.map((i) => i.label));
      return items.find((i) => (i as { to?: string }).to === 'claude:dave');
    };
    ui.input = (p) => (/^Message to claude session dave/.test(p.title ?? '') ? 'Keep the v1 endpoint until the UI task lands' : undefined);
    const from = ui.messages.length;
    try {
      await runCommand('lockstep.sendMessage');
    } finally {
      ui.pick = () => undefined;
      ui.input = () => undefined;
    }
    assert.ok(offered.includes('All running sessions') && offered.includes('claude session dave'), `offered: ${offered.join(', ')}`);
    assert.deepEqual(ui.since(from).map((m) => [m.kind, m.text.replace(/#\d+/, '#N')]), [
      ['info', "Lockstep: sent #N to claude:dave; it is delivered with the agent's next tool call or prompt (an idle agent sees it when it next acts)"],
    ]);
    const waiting = await waitFor('"1 message waiting" on claude:dave', () => readTree(api.sessionsTree), (t) => /^1 message waiting · /.test(sessionNode(t, 'claude:dave')?.description ?? ''));
    assert.match(sessionNode(waiting, 'claude:dave')!.tooltip ?? '', /1 message waiting: its agent receives them with its next tool call or prompt/);

    // Another session only peeks; the agent's own `lockstep inbox` (LOCKSTEP_SESSION) receives it.
    const peeked = JSON.parse(lockstep('inbox', '--session', 'claude:dave', '--json')) as { peek: boolean; messages: unknown[] };
    assert.deepEqual([peeked.peek, peeked.messages.length], [true, 1]);
    assert.match(sessionNode(await readTree(api.sessionsTree), 'claude:dave')?.description ?? '', /^1 message waiting · /);
    const inbox = JSON.parse(lockstepAs('claude:dave', 'inbox', '--json')) as { messages: { from: string; text: string }[] };
    assert.deepEqual(inbox.messages.map((m) => [m.from, m.text]), [[api.settings().userSessionId, 'Keep the v1 endpoint until the UI task lands']]);
    await waitFor('no message waiting once received', () => readTree(api.sessionsTree), (t) => !/message/.test(sessionNode(t, 'claude:dave')?.description ?? 'message'));
  });

  it("Add Note… writes as the user's session; Filter Decision Log… shows one task's notes", async () => {
    ui.input = () => 'The UI reads dates with Temporal';
    try {
      await runCommand('lockstep.addNote');
    } finally {
      ui.input = () => undefined;
    }
    const tree = await waitFor('the new note on top', () => readTree(api.decisionLogTree), (t) => t[0]?.label === 'The UI reads dates with Temporal');
    assert.match(tree[0]!.description ?? '', new RegExp(`^#\\d+ · ${api.settings().userSessionId} · \\d`));
    const logged = JSON.parse(lockstep('log', '--json')) as { notes: { by: string; text: string }[] };
    assert.deepEqual(logged.notes.at(-1) && [logged.notes.at(-1)!.by, logged.notes.at(-1)!.text], [api.settings().userSessionId, 'The UI reads dates with Temporal']);

    ui.pick = (items) => items.find((i) => i.label === 'task api');
    try {
      await runCommand('lockstep.filterDecisionLog');
    } finally {
      ui.pick = () => undefined;
    }
    const filtered = await readTree(api.decisionLogTree);
    assert.deepEqual(filtered.map((n) => n.label), ['Dates are ISO 8601 strings in every API response']);
    ui.pick = (items) => items.find((i) => i.label === 'All notes');
    try {
      await runCommand('lockstep.filterDecisionLog');
    } finally {
      ui.pick = () => undefined;
    }
    assert.equal((await readTree(api.decisionLogTree)).length, tree.length);
  });
});
