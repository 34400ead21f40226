// How to run each real agent CLI (installed as a pinned dev dependency) against the scripted model
// endpoint, in a home folder of its own: nothing is read from or written to the user's real config.
// Each driver knows the agent's configuration files, its command line for one headless prompt, and
// the tool calls its model makes to edit a file.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../helpers/cli';
import type { Turn } from './modelServer';

export type RealAgentName = 'claude' | 'codex' | 'gemini' | 'copilot';

export interface AgentHome {
  /** HOME (and the XDG folders under it) of this run. */
  home: string;
  /** The repository the agent works in (the agent's cwd). */
  cwd: string;
  /** The model endpoint, http://127.0.0.1:PORT */
  modelUrl: string;
}

export interface AgentDriver {
  name: RealAgentName;
  /** The version pinned in package.json, checked by the tests. */
  version: string;
  /** Writes the agent's config into the temporary home (provider, trust, auth). Runs after hooks are installed. */
  prepare(h: AgentHome): Promise<void>;
  /** Executable and arguments for one headless prompt. */
  command(prompt: string, h: AgentHome, opts?: { permissionMode?: 'default'; conversation?: boolean; tty?: boolean }): { file: string; args: string[] };
  /** Environment beyond HOME/PATH. */
  env(h: AgentHome): NodeJS.ProcessEnv;
  /** The model's tool call that replaces `oldText` with `newText` in `file` (absolute). */
  editTurn(file: string, oldText: string, newText: string, cwd: string): Turn;
}

const bin = (name: string) => path.join(PROJECT_ROOT, 'node_modules', '.bin', name);

function writeJson(file: string, data: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}

// ---------- Claude Code ----------

/** Claude Code's native binary: the wrapper's bin/claude.exe once its postinstall ran, else the platform package's. */
function claudeBinary(): string {
  const wrapper = path.join(PROJECT_ROOT, 'node_modules', '@anthropic-ai', 'claude-code', 'bin', 'claude.exe');
  if (fs.existsSync(wrapper) && fs.statSync(wrapper).size > 1_000_000) return wrapper;
  const platform = path.join(PROJECT_ROOT, 'node_modules', '@anthropic-ai', `claude-code-${process.platform}-${process.arch}`, 'claude');
  if (fs.existsSync(platform)) return platform;
  throw new Error(`Claude Code's native binary is missing (${wrapper}); run npm ci`);
}

const CLAUDE_TEST_KEY = 'sk-ant-lockstep-test';

const claude: AgentDriver = {
  name: 'claude',
  version: '2.1.328',
  async prepare(h) {
    // Skips the first-run onboarding screens; the API key comes from the environment (an interactive
    // session asks once to use a key from the environment: answered yes, by its last 20 characters).
    writeJson(path.join(h.home, '.claude.json'), {
      hasCompletedOnboarding: true,
      numStartups: 1,
      customApiKeyResponses: { approved: [CLAUDE_TEST_KEY.slice(-20)], rejected: [] },
      projects: { [h.cwd]: { hasTrustDialogAccepted: true } },
    });
  },
  command(prompt, _h, opts) {
    const mode = ['--permission-mode', opts?.permissionMode ?? 'acceptEdits', '--debug'];
    // Interactive (in a terminal, see RunOptions.tty): the prompt is the first message; the session stays open.
    if (opts?.tty) return { file: claudeBinary(), args: [prompt, ...mode] };
    // A conversation: user messages come on stdin (stream-json) and the session lives until stdin closes.
    if (opts?.conversation) return { file: claudeBinary(), args: ['-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose', ...mode] };
    return { file: claudeBinary(), args: ['-p', prompt, ...mode] };
  },
  env(h) {
    return {
      ANTHROPIC_BASE_URL: h.modelUrl,
      ANTHROPIC_API_KEY: CLAUDE_TEST_KEY,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_TELEMETRY: '1',
    };
  },
  editTurn(file, oldText, newText) {
    return { tool: 'Edit', args: { file_path: file, old_string: oldText, new_string: newText } };
  },
};

// ---------- Codex ----------

function codexHome(h: AgentHome): string {
  return path.join(h.home, '.codex');
}

/** Asks `codex app-server` for the hooks it found (hooks/list) and approves Lockstep's by their current hash, as a user does with /hooks. */
async function codexTrustHooks(h: AgentHome, env: NodeJS.ProcessEnv): Promise<Array<{ key: string; currentHash: string }>> {
  const child = spawn(bin('codex'), ['app-server'], { cwd: h.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  const hooks = await new Promise<Array<{ key: string; currentHash: string; command: string }>>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('codex app-server: no answer to hooks/list within 30 s')), 30_000);
    const send = (o: unknown) => child.stdin.write(`${JSON.stringify(o)}\n`);
    child.on('error', reject);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (!line) continue;
        const m = JSON.parse(line) as { id?: number; result?: { data?: Array<{ hooks?: Array<{ key: string; currentHash: string; command: string }> }> } };
        if (m.id === 1) {
          send({ jsonrpc: '2.0', method: 'initialized', params: {} });
          send({ jsonrpc: '2.0', id: 2, method: 'hooks/list', params: { cwds: [h.cwd] } });
        }
        if (m.id === 2) {
          clearTimeout(timer);
          resolve((m.result?.data ?? []).flatMap((d) => d.hooks ?? []));
        }
      }
    });
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { clientInfo: { name: 'lockstep-tests', version: '1' } } });
  });
  child.kill();
  const ours = hooks.filter((x) => x.command.startsWith('LOCKSTEP_HOOK=1 '));
  const toml = ours.map((x) => `[hooks.state.${JSON.stringify(x.key)}]\ntrusted_hash = ${JSON.stringify(x.currentHash)}\n`).join('\n');
  fs.appendFileSync(path.join(codexHome(h), 'config.toml'), `\n${toml}`);
  return ours;
}

const codex: AgentDriver = {
  name: 'codex',
  version: '0.169.0',
  async prepare(h) {
    const dir = codexHome(h);
    fs.mkdirSync(dir, { recursive: true });
    // gpt-5.5 is in Codex's model catalog, so it is offered the freeform apply_patch tool.
    fs.writeFileSync(
      path.join(dir, 'config.toml'),
      [
        'model = "gpt-5.5"',
        'model_provider = "scripted"',
        'check_for_update_on_startup = false',
        '',
        '[model_providers.scripted]',
        'name = "scripted"',
        `base_url = "${h.modelUrl}/v1"`,
        'wire_api = "responses"',
        'request_max_retries = 0',
        'stream_max_retries = 0',
        '',
        `[projects.${JSON.stringify(h.cwd)}]`,
        'trust_level = "trusted"',
        '',
      ].join('\n'),
    );
    const trusted = await codexTrustHooks(h, { ...baseEnv(h), ...this.env(h) });
    if (trusted.length === 0) throw new Error(`codex app-server lists no Lockstep hook for ${h.cwd}`);
  },
  command(prompt) {
    return { file: bin('codex'), args: ['exec', '--dangerously-bypass-approvals-and-sandbox', prompt] };
  },
  env(h) {
    return { CODEX_HOME: codexHome(h), OPENAI_API_KEY: 'sk-lockstep-test' };
  },
  editTurn(file, oldText, newText, cwd) {
    const rel = path.relative(cwd, file);
    return { tool: 'apply_patch', args: `*** Begin Patch\n*** Update File: ${rel}\n@@\n-${oldText}\n+${newText}\n*** End Patch\n` };
  },
};

// ---------- Gemini CLI ----------

const gemini: AgentDriver = {
  name: 'gemini',
  version: '0.61.0',
  async prepare(h) {
    const dir = path.join(h.home, '.gemini');
    const settingsFile = path.join(dir, 'settings.json');
    const settings = fs.existsSync(settingsFile) ? (JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as Record<string, unknown>) : {};
    writeJson(settingsFile, {
      ...settings,
      security: { auth: { selectedType: 'gemini-api-key' }, folderTrust: { enabled: true } },
      general: { disableAutoUpdate: true, disableUpdateNag: true },
      privacy: { usageStatisticsEnabled: false },
      telemetry: { enabled: false },
    });
    // Headless mode runs only in a trusted folder.
    writeJson(path.join(dir, 'trustedFolders.json'), { [h.cwd]: 'TRUST_FOLDER' });
  },
  command(prompt) {
    return { file: bin('gemini'), args: ['-p', prompt, '--approval-mode', 'auto_edit'] };
  },
  env(h) {
    return { GEMINI_API_KEY: 'lockstep-test', GOOGLE_GEMINI_BASE_URL: h.modelUrl, GEMINI_CLI_NO_RELAUNCH: 'true' };
  },
  editTurn(file, oldText, newText) {
    return { tool: 'replace', args: { file_path: file, old_string: oldText, new_string: newText, instruction: 'edit' } };
  },
};

// ---------- Copilot CLI ----------

const copilot: AgentDriver = {
  name: 'copilot',
  version: '1.0.102',
  async prepare(h) {
    fs.mkdirSync(path.join(h.home, '.copilot'), { recursive: true });
  },
  command(prompt) {
    return { file: bin('copilot'), args: ['-p', prompt, '--allow-all-tools', '--trust-folder', '--no-auto-update'] };
  },
  env(h) {
    return {
      COPILOT_HOME: path.join(h.home, '.copilot'),
      COPILOT_OFFLINE: 'true',
      COPILOT_PROVIDER_BASE_URL: `${h.modelUrl}/v1`,
      COPILOT_MODEL: 'gpt-4.1',
      // Copilot unpacks its 235 MB runtime on first start; one shared cache saves that on every run.
      COPILOT_PKG_CACHE_HOME: path.join(PROJECT_ROOT, 'node_modules', '.cache', 'lockstep-real-agents', 'copilot'),
    };
  },
  editTurn(file, oldText, newText) {
    return { tool: 'edit', args: { path: file, old_str: oldText, new_str: newText } };
  },
};

export const DRIVERS: Record<RealAgentName, AgentDriver> = { claude, codex, gemini, copilot };

/** HOME, PATH and the XDG folders of one run, under its temporary home. */
export function baseEnv(h: AgentHome): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: h.home,
    USER: process.env.USER ?? 'root',
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    NO_COLOR: '1',
    CI: '1',
    XDG_CONFIG_HOME: path.join(h.home, '.config'),
    XDG_DATA_HOME: path.join(h.home, '.local', 'share'),
    XDG_STATE_HOME: path.join(h.home, '.local', 'state'),
    XDG_CACHE_HOME: path.join(h.home, '.cache'),
    TMPDIR: process.env.TMPDIR,
  };
}
