// Stands in for the person at the keyboard: records every message the extension shows and answers
// messages, quick picks and input boxes (by default like pressing Escape), so every command can run
// to completion in a test. Stubbing vscode.window's prompts is the usual way extension tests drive
// UI; the suite shares the extension's `vscode` API object because it lives in the extension's folder.
import * as vscode from 'vscode';

export type MessageKind = 'info' | 'warning' | 'error';

export interface ShownMessage {
  kind: MessageKind;
  text: string;
  /** The buttons offered (MessageItem titles or strings). */
  buttons: string[];
  modal: boolean;
  /** A modal's detail text. */
  detail?: string;
}

export interface Prompt {
  kind: 'quickPick' | 'inputBox' | 'openDialog' | 'saveDialog';
  title?: string;
}

/** Answers a message with one of its buttons (by title), or undefined for "dismissed". */
export type MessageAnswer = (m: ShownMessage) => string | undefined;
/** Picks one of a quick pick's items (or undefined for Escape). */
export type PickAnswer = (items: readonly vscode.QuickPickItem[], p: Prompt) => vscode.QuickPickItem | undefined;
/** Types an input box's answer (or undefined for Escape). */
export type InputAnswer = (p: Prompt) => string | undefined;

type Window = Record<string, unknown>;
const STUBBED = ['showInformationMessage', 'showWarningMessage', 'showErrorMessage', 'showQuickPick', 'showInputBox', 'showOpenDialog', 'showSaveDialog'] as const;

export class UiStub {
  readonly messages: ShownMessage[] = [];
  readonly prompts: Prompt[] = [];
  answer: MessageAnswer = () => undefined;
  pick: PickAnswer = () => undefined;
  input: InputAnswer = () => undefined;
  private saved = new Map<string, unknown>();

  install(): this {
    const w = vscode.window as unknown as Window;
    for (const name of STUBBED) this.saved.set(name, w[name]);
    const message = (kind: MessageKind) => (text: string, ...rest: unknown[]) => {
      const opts = rest[0] && typeof rest[0] === 'object' && !('title' in (rest[0] as object)) ? (rest.shift() as vscode.MessageOptions) : undefined;
      const items = rest as (string | vscode.MessageItem)[];
      const shown: ShownMessage = { kind, text, buttons: items.map((i) => (typeof i === 'string' ? i : i.title)), modal: !!opts?.modal, detail: opts?.detail };
      this.messages.push(shown);
      const chosen = this.answer(shown);
      return Promise.resolve(items.find((i) => (typeof i === 'string' ? i : i.title) === chosen));
    };
    w.showInformationMessage = message('info');
    w.showWarningMessage = message('warning');
    w.showErrorMessage = message('error');
    const prompt = (kind: Prompt['kind']) => (_a?: unknown, b?: { title?: string }) => {
      this.prompts.push({ kind, title: (kind === 'inputBox' ? (_a as { title?: string } | undefined) : b)?.title });
      return Promise.resolve(undefined);
    };
    w.showQuickPick = async (items: unknown, opts?: { title?: string }) => {
      const p: Prompt = { kind: 'quickPick', title: opts?.title };
      this.prompts.push(p);
      const list = (await items) as (string | vscode.QuickPickItem)[];
      const asItems = list.map((i) => (typeof i === 'string' ? { label: i } : i));
      const chosen = this.pick(asItems, p);
      return chosen === undefined ? undefined : list[asItems.indexOf(chosen)];
    };
    w.showInputBox = (opts?: vscode.InputBoxOptions) => {
      const p: Prompt = { kind: 'inputBox', title: opts?.title };
      this.prompts.push(p);
      return Promise.resolve(this.input(p));
    };
    w.showOpenDialog = prompt('openDialog');
    w.showSaveDialog = prompt('saveDialog');
    return this;
  }

  /** Messages shown since `from` (an index into messages). */
  since(from: number): ShownMessage[] {
    return this.messages.slice(from);
  }

  restore(): void {
    const w = vscode.window as unknown as Window;
    for (const [name, fn] of this.saved) w[name] = fn;
    this.saved.clear();
  }
}
