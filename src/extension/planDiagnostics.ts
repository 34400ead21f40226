// Problems of `.lockstep/plan.yaml` as diagnostics on the file, at the line the coordinator names, so
// an invalid plan shows in the editor and the Problems panel while it is being written.
import * as vscode from 'vscode';
import type { SchedulerModel } from './schedulerView';

export class PlanDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('lockstep-plan');
  private readonly subscription: vscode.Disposable;

  constructor(model: SchedulerModel) {
    this.subscription = model.onDidChange(() => {
      const plan = model.current?.plan;
      this.collection.clear();
      if (!plan?.exists || plan.valid) return;
      const uri = vscode.Uri.file(plan.file);
      this.collection.set(
        uri,
        plan.issues.map((i) => {
          const line = Math.max(0, i.line - 1);
          const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), i.field ? `${i.field}: ${i.message}` : i.message, vscode.DiagnosticSeverity.Error);
          d.source = 'lockstep plan';
          return d;
        }),
      );
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.collection.dispose();
  }
}
