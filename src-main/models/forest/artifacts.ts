/** The random forest on disk: forest.json, checked when read back. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ArtifactError, readJsonArtifact, writeFileAtomic } from '../../platform';
import { modelRemedy } from '../artifacts';
import type { ForestJson } from './forest';

export function writeForestArtifacts(dir: string, forest: ForestJson): string[] {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, 'forest.json'), JSON.stringify(forest));
  return ['forest.json'];
}

/** The forest back, checked: every tree's arrays agree, children point inside it, values are finite. */
export function readForestArtifacts(dir: string): ForestJson {
  const path = join(dir, 'forest.json');
  const remedy = modelRemedy(dir);
  const f = readJsonArtifact<ForestJson>(path, remedy);
  const bad = (what: string) => new ArtifactError(path, what, remedy);
  if (f?.kind !== 'random-forest' || !Array.isArray(f.trees) || f.trees.length === 0 || !Number.isInteger(f.nClasses) || !Number.isInteger(f.nFeatures))
    throw bad('not a random forest');
  for (const [k, t] of f.trees.entries()) {
    const n = t?.feature?.length;
    if (!n || [t.threshold, t.left, t.right, t.value].some((a) => !Array.isArray(a) || a.length !== n)) throw bad(`tree ${k}: arrays of different lengths`);
    for (let i = 0; i < n; i++) {
      const leaf = t.feature[i] < 0;
      if (
        !leaf &&
        (t.feature[i] >= f.nFeatures || !(t.left[i] > i && t.left[i] < n) || !(t.right[i] > i && t.right[i] < n) || !Number.isFinite(t.threshold[i]))
      )
        throw bad(`tree ${k}, node ${i}: a split that points outside the tree`);
      if (t.value[i].length !== f.nClasses || t.value[i].some((p) => !Number.isFinite(p)))
        throw bad(`tree ${k}, node ${i}: class shares are not ${f.nClasses} finite numbers`);
    }
  }
  return f;
}
