// Reads a tree view's items the way VS Code does: getChildren, then getTreeItem for each, recursively.
import type * as vscode from 'vscode';

export interface TreeNode {
  id?: string;
  label: string;
  description?: string;
  contextValue?: string;
  tooltip?: string;
  resourcePath?: string;
  children: TreeNode[];
}

export async function readTree(provider: vscode.TreeDataProvider<unknown>, parent?: unknown, depth = 0): Promise<TreeNode[]> {
  const elements = (await provider.getChildren(parent)) ?? [];
  const out: TreeNode[] = [];
  for (const element of elements) {
    const item = await provider.getTreeItem(element);
    const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
    const tooltip = typeof item.tooltip === 'string' ? item.tooltip : item.tooltip?.value;
    out.push({
      id: item.id,
      label,
      description: typeof item.description === 'string' ? item.description : undefined,
      contextValue: item.contextValue,
      tooltip,
      resourcePath: item.resourceUri?.fsPath,
      children: depth < 4 ? await readTree(provider, element, depth + 1) : [],
    });
  }
  return out;
}
