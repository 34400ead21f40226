// Computes what changed between two versions of the model's collections, as a StateDelta body.
import { COLLECTION_IDS, type CollectionName, type StateDelta } from '../protocol/coordinatorState';
import type { ModelCollections } from '../engine/editingModel';

export type CollectionChanges = Pick<StateDelta, CollectionName>;

/** Items compared by their JSON text: collections are small (hundreds to a few thousand items). */
export function diffCollections(prev: ModelCollections, next: ModelCollections): CollectionChanges | undefined {
  const out: Record<string, { upsert: unknown[]; remove: string[] }> = {};
  let any = false;
  for (const name of Object.keys(COLLECTION_IDS) as CollectionName[]) {
    const idField = COLLECTION_IDS[name];
    const before = new Map<string, string>();
    for (const item of prev[name] as unknown as Record<string, unknown>[]) before.set(String(item[idField]), JSON.stringify(item));
    const upsert: unknown[] = [];
    const seen = new Set<string>();
    for (const item of next[name] as unknown as Record<string, unknown>[]) {
      const id = String(item[idField]);
      seen.add(id);
      if (before.get(id) !== JSON.stringify(item)) upsert.push(item);
    }
    const remove = [...before.keys()].filter((id) => !seen.has(id));
    if (upsert.length > 0 || remove.length > 0) {
      out[name] = { upsert, remove };
      any = true;
    }
  }
  return any ? (out as CollectionChanges) : undefined;
}
