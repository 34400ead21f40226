// VS Code asks before Lockstep runs plan commands (agent templates, setup, verify) that changed since
// the user last approved them: agents may be allowed to edit .lockstep/plan.yaml, and these commands
// run outside any agent sandbox. The approved commands and their hash are kept per plan file in the
// workspace state; "Run" approves the plan's current commands.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { changedCommands, commandsHash, describeCommand, planCommands, type PlanCommand } from '../core/planCommands';

interface Approved {
  hash: string;
  commands: PlanCommand[];
}

const key = (planFile: string) => `lockstep.approvedPlanCommands:${planFile}`;

export class PlanApproval {
  constructor(private readonly memento: vscode.Memento) {}

  /** The commands of `planFile` that differ from the approved ones ([] when all are approved or the plan is unreadable). */
  pending(planFile: string): { changed: PlanCommand[]; current?: PlanCommand[]; neverApproved?: boolean } {
    let text: string;
    try {
      text = fs.readFileSync(planFile, 'utf8');
    } catch {
      return { changed: [] };
    }
    const current = planCommands(text);
    if (!current) return { changed: [] };
    const approved = this.memento.get<Approved>(key(planFile));
    if (approved?.hash === commandsHash(current)) return { changed: [], current };
    return { changed: changedCommands(current, approved?.commands), current, neverApproved: !approved };
  }

  async approve(planFile: string, commands: PlanCommand[]): Promise<void> {
    await this.memento.update(key(planFile), { hash: commandsHash(commands), commands } satisfies Approved);
  }

  /**
   * Before `action` runs plan commands: true when they are approved, or the user approves them now
   * in a modal listing the changed ones; false (run nothing) otherwise.
   */
  async confirm(planFile: string | undefined, action: string): Promise<boolean> {
    if (!planFile) return true;
    const { changed, current, neverApproved } = this.pending(planFile);
    if (!current) return true;
    if (changed.length === 0) {
      // Same commands under a new approval key (e.g. one was removed): keep the hash current.
      if (this.memento.get<Approved>(key(planFile))?.hash !== commandsHash(current)) await this.approve(planFile, current);
      return true;
    }
    const detail = `${action} runs commands from ${planFile} outside any agent sandbox. ${neverApproved ? 'You have not approved them yet' : 'These are new or changed since you last approved the plan'}:\n\n${changed.map(describeCommand).join('\n')}`;
    const choice = await vscode.window.showWarningMessage('Lockstep: run changed plan commands?', { modal: true, detail }, 'Run');
    if (choice !== 'Run') return false;
    await this.approve(planFile, current);
    return true;
  }
}
