// The one place that reads Lockstep's settings. Values are validated with zod; a bad value is
// reported once, in one line, and its default is used instead.
import * as os from 'node:os';
import * as vscode from 'vscode';
import * as z from '../core/zodClassic';
import { storeUrlProblem } from '../core/storeUrl';

const Settings = z.object({
  'lease.ttlSeconds': z.number().int().min(10).max(86_400).default(900),
  failOpen: z.boolean().default(false),
  scopePolicy: z.enum(['deny', 'warn', 'off']).default('deny'),
  'decorations.explorer': z.boolean().default(true),
  'decorations.editor': z.boolean().default(true),
  'diagnostics.enabled': z.boolean().default(false),
  claimTtlSeconds: z.number().int().min(60).max(604_800).default(28_800),
  userName: z.string().max(100).regex(/^[\w.@-]*$/, 'letters, digits, . _ @ - only').default(''),
  'notifications.tasks': z.boolean().default(true),
  'matrix.openWhenTasksRun': z.boolean().default(false),
  /** '' or 'embedded': the store folder; a redis:// or rediss:// URL: team mode (written to config.json for hooks and CLI). */
  store: z
    .string()
    .superRefine((v, ctx) => {
      const problem = v.trim() === '' ? undefined : storeUrlProblem(v);
      if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
    })
    .default(''),
});
type Settings = z.infer<typeof Settings>;
const KEYS = Object.keys(Settings.shape) as (keyof Settings)[];

export class Config {
  private values: Settings = Settings.parse({});
  /** Settings whose value is invalid: reported, and never pushed to the repository. */
  private invalid = new Set<string>();
  private readonly onDidChangeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.onDidChangeEmitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly report: (message: string) => void) {
    this.reload();
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('lockstep')) {
        this.reload();
        this.onDidChangeEmitter.fire();
      }
    });
  }

  private reload(): void {
    const section = vscode.workspace.getConfiguration('lockstep');
    const raw: Record<string, unknown> = {};
    for (const key of KEYS) raw[key] = section.get(key);
    const parsed = Settings.safeParse(raw);
    if (parsed.success) {
      this.values = parsed.data;
      this.invalid = new Set();
      return;
    }
    // Keep every valid setting; fall back to the default only for the bad ones.
    const bad = new Set(parsed.error.issues.map((i) => String(i.path[0])));
    this.invalid = bad;
    for (const issue of parsed.error.issues) {
      this.report(`Lockstep: setting lockstep.${String(issue.path[0])} is invalid (${issue.message}); using its default.`);
    }
    for (const key of bad) delete raw[key];
    this.values = Settings.parse(raw);
  }

  get ttlSeconds(): number {
    return this.values['lease.ttlSeconds'];
  }
  get failOpen(): boolean {
    return this.values.failOpen;
  }
  get scopePolicy(): 'deny' | 'warn' | 'off' {
    return this.values.scopePolicy;
  }
  get explorerDecorations(): boolean {
    return this.values['decorations.explorer'];
  }
  get editorDecorations(): boolean {
    return this.values['decorations.editor'];
  }
  get diagnostics(): boolean {
    return this.values['diagnostics.enabled'];
  }
  /** Notify when tasks start, finish, fail or land, a phase opens, or a dead agent's locks are freed. */
  get taskNotifications(): boolean {
    return this.values['notifications.tasks'];
  }
  get openMatrixWhenTasksRun(): boolean {
    return this.values['matrix.openWhenTasksRun'];
  }
  /** 'embedded' or the team store's redis:// URL. */
  get store(): string {
    return this.values.store.trim() || 'embedded';
  }
  get claimTtlSeconds(): number {
    return this.values.claimTtlSeconds;
  }
  /**
   * The repository-wide settings (hooks read them from the store) that the user actually set in
   * VS Code. Defaults are left out, so opening VS Code never overwrites `lockstep config`.
   */
  explicitRepoSettings(): { ttlSeconds?: number; failOpen?: boolean; scopePolicy?: 'deny' | 'warn' | 'off'; store?: string } {
    const section = vscode.workspace.getConfiguration('lockstep');
    const set = (key: string) => {
      if (this.invalid.has(key)) return false; // a bad value changes nothing (its default is not pushed either)
      const i = section.inspect(key);
      return i !== undefined && (i.globalValue !== undefined || i.workspaceValue !== undefined || i.workspaceFolderValue !== undefined);
    };
    return {
      ...(set('lease.ttlSeconds') ? { ttlSeconds: this.ttlSeconds } : {}),
      ...(set('failOpen') ? { failOpen: this.failOpen } : {}),
      ...(set('scopePolicy') ? { scopePolicy: this.scopePolicy } : {}),
      ...(set('store') ? { store: this.store } : {}),
    };
  }

  /** Your own session in the lease table: `vscode:<user>`. */
  get userSessionId(): string {
    const name = this.values.userName || safeUserName();
    return `vscode:${name}`;
  }

  dispose(): void {
    this.subscription.dispose();
    this.onDidChangeEmitter.dispose();
  }
}

function safeUserName(): string {
  try {
    return os.userInfo().username.replace(/[^\w.@-]/g, '_') || 'user';
  } catch {
    return 'user';
  }
}
