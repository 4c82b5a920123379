/**
 * What an `apply` would take from under the product: the definitions the registered model versions
 * were trained on (their feature service and its views: retraining, lookups and replays read
 * them) and the push sources the inbox and feedback write to. Going back to an earlier stage of the
 * story beside them removed the view production v2 and v3 read, emptied its online rows and
 * left the inbox's feature step failing on every message (a hostile probe).
 */
import type { RegistryDefinitions, RegistryDiff } from '../../src-shared/featurestore';
import type { Engines } from '../engines';
import { V2_PUSH_SOURCE } from '../inbox';
import { LABELS_PUSH_SOURCE } from '../monitoring';

/** a definition an apply would remove, and what uses it */
export interface DefinitionInUse {
  kind: string;
  name: string;
  usedBy: string[];
}

/** who uses each definition now: names of services, views and sources, each with its users */
async function usesOf(e: Pick<Engines, 'models'>, d: RegistryDefinitions): Promise<Map<string, string[]>> {
  const uses = new Map<string, Set<string>>();
  const add = (name: string, who: string) => {
    const set = uses.get(name) ?? new Set<string>();
    set.add(who);
    uses.set(name, set);
  };
  add(V2_PUSH_SOURCE, "the inbox's feature step (each message's features are pushed to it)");
  add(LABELS_PUSH_SOURCE, 'feedback (each label is pushed to it)');
  // each model's versions, by the service they were trained on
  const versions = new Map<string, string[]>();
  for (const v of await e.models.list()) {
    const k = `${v.featureService}\u0000${v.name}`;
    versions.set(k, [...(versions.get(k) ?? []), `${v.version}${v.aliases.length ? ` (${v.aliases.join(', ')})` : ''}`]);
  }
  for (const [k, vs] of versions) {
    const [service, model] = k.split('\u0000');
    const svc = d.featureServices.find((s) => s.name === service);
    if (!svc) continue;
    const who = `model ${model} version${vs.length > 1 ? 's' : ''} ${vs.join(', ')}`;
    add(svc.name, who);
    for (const f of svc.features) {
      add(f.view, `${who}, through feature service ${svc.name}`);
      const view = d.featureViews.find((x) => x.name === f.view);
      if (view) add(view.source, `${who}, through feature view ${view.name}`);
    }
  }
  return new Map([...uses].map(([k, v]) => [k, [...v]]));
}

/**
 * The definitions `diff` removes that something uses now (`current`: the definitions applied
 * before); empty when the apply takes nothing in use.
 */
export async function definitionsInUse(e: Pick<Engines, 'models'>, current: RegistryDefinitions | undefined, diff: RegistryDiff): Promise<DefinitionInUse[]> {
  if (!current) return [];
  const uses = await usesOf(e, current);
  const found: DefinitionInUse[] = [];
  for (const entry of diff.entries) {
    if (entry.change !== 'removed') continue;
    const usedBy = uses.get(entry.name);
    if (usedBy) found.push({ kind: entry.kind, name: entry.name, usedBy });
  }
  return found;
}
