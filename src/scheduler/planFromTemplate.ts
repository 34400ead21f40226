// A new plan file from one of the templates (core/planTemplates.ts), with the repository's source
// folders filled in: what "Lockstep: Create a Plan" writes. The coordinator writes it (not the
// editor), so the write is Lockstep's and is recorded as the user's, not counted as an unleased edit.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PLAN_TEMPLATES, type PlanTemplate } from '../core/planTemplates';

/** Source folders a template splits work by: src/<part> when src/ has folders, else the top-level folders. */
export function sourceFolders(root: string): string[] {
  const dirs = (dir: string) => {
    try {
      return fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && !d.name.startsWith('.') && d.name !== 'node_modules' && d.name !== 'dist')
        .map((d) => d.name)
        .sort();
    } catch {
      return [];
    }
  };
  const top = dirs(root);
  if (top.includes('src')) {
    const inner = dirs(path.join(root, 'src'));
    if (inner.length > 0) return inner.map((d) => `src/${d}`);
  }
  return top;
}

/** The text of a new plan from template `id` for the checkout at `root`, landing on `target`. */
export function planFromTemplate(id: PlanTemplate['id'], root: string, target: string): string {
  const template = PLAN_TEMPLATES.find((t) => t.id === id);
  if (!template) throw new Error(`no plan template '${id}'`);
  return template.text(sourceFolders(root), target);
}
