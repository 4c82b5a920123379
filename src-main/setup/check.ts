/**
 * `spamops check` and `GET /check`: verify a data dir, so that a wrong answer behind a healthy
 * `/health` shows up. For every message in the inboxes: its online and offline v2 features equal
 * the features of its own text (with the data dir's tokenizer), its online row exists (unless its
 * change is still on its way to the feature step), and no other user's message holds its sms_id
 * (the feature store's entity key). For every file source: each Parquet part on disk is listed in
 * the source's manifest (or retired by it), and each listed part is on disk.
 *
 * Reads only; memory is one batch of messages plus the set of ids seen (for ids held twice).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FeatureValue } from '../../src-shared/featurestore';
import type { CheckAnswer, CheckFinding } from '../../src-shared/check';
import { V2_VIEW } from '../inbox';
import { Worker } from 'node:worker_threads';
import type { Engines } from '../engines';
import { damagedRemedy, isDatabaseDamaged, timeOfTimeUuid } from '../platform';

export type CheckDeps = Pick<Engines, 'storage' | 'features' | 'tokenizers' | 'ingestion'>;

const BATCH = 500;
/** findings listed in full; the counts cover all of them */
const LISTED = 200;
/** a part file younger than this and not in the manifest may be a write in progress */
const IN_FLIGHT_MS = 120_000;
const PART_FILE = /^part-.*\.parquet$/;

const sameFeatures = (a: FeatureValue | undefined, b: number[]): boolean => Array.isArray(a) && a.length === b.length && a.every((x, i) => Number(x) === b[i]);

/** SQLite's quick_check of the file, on a thread and a connection of its own: undefined when it passes, else its first findings */
function quickCheck(path: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const worker = new Worker(new URL('./quick-check-worker.mjs', import.meta.url), { workerData: { path } });
    worker.once('message', (m: { rows?: string[]; code?: string; message?: string }) => {
      if (m.rows) resolve(m.rows.length === 1 && m.rows[0] === 'ok' ? undefined : m.rows.join('; '));
      // a file that is no database is damaged; another failure (locked, gone) is not this check's to judge
      else resolve(isDatabaseDamaged(m) ? m.message : undefined);
    });
    worker.once('error', () => resolve(undefined));
    worker.once('exit', () => resolve(undefined));
  });
}

export async function checkDataDir(deps: CheckDeps, now = Date.now()): Promise<CheckAnswer> {
  const t0 = performance.now();
  const findings: CheckFinding[] = [];
  const counts: CheckAnswer['counts'] = {
    features_differ: 0,
    online_missing: 0,
    offline_missing: 0,
    sms_id_held_twice: 0,
    part_not_in_manifest: 0,
    part_missing: 0,
    database_damaged: 0,
  };
  const add = (f: CheckFinding) => {
    counts[f.kind] += 1;
    if (findings.length < LISTED) findings.push(f);
  };
  const notes: string[] = [];

  // the database file read through first (SQLite's quick_check): the other checks need it readable.
  // A file with 50 pages overwritten mid-way passed as "nothing wrong found" (a hostile probe)
  const damage = deps.storage.backend === 'sqlite' ? await quickCheck(deps.storage.location) : undefined;
  if (damage) {
    add({
      kind: 'database_damaged',
      file: deps.storage.location,
      detail: `${deps.storage.location} is damaged: ${damage}. ${damagedRemedy(deps.storage.location)}`,
    });
    notes.push('the other checks need a readable database: not run');
    return { ok: false, messages: 0, pending: 0, counts, findings, notes, duration_ms: Math.round(performance.now() - t0) };
  }

  // messages whose change has not reached the feature step yet lack features for a good reason
  const pending = new Set((await deps.ingestion.pending(100_000)).map((p) => p.message.sms_id));
  // and those whose offline rows the offline follower has still to write (behind the feature step or the relay)
  const offlinePending = new Set([...pending, ...((await deps.ingestion.offlinePending?.(100_000)) ?? [])]);

  let messages = 0;
  const holders = new Map<string, string>();
  const defs = await deps.features.registry.definitions().catch(() => undefined);
  const view = defs?.featureViews.find((v) => v.name === V2_VIEW);
  const refs = view ? await deps.features.resolveRefs({ features: [`${V2_VIEW}:features`] }) : [];
  if (!view) notes.push(`no feature view ${V2_VIEW} in the registry (not bootstrapped?): features not compared`);
  let tokenizer: ReturnType<Engines['tokenizers']['get']> | undefined;
  try {
    tokenizer = deps.tokenizers.get();
  } catch (e) {
    notes.push(`the tokenizer cannot be read (${(e as Error).message}): features not compared`);
  }

  for await (const batch of deps.storage.users.scanAll(BATCH)) {
    messages += batch.length;
    for (const m of batch) {
      const first = holders.get(m.sms_id);
      if (first !== undefined && first !== m.user_id)
        add({
          kind: 'sms_id_held_twice',
          sms_id: m.sms_id,
          detail: `sms_id ${m.sms_id} is held by ${first} and ${m.user_id}: one carries the other's features`,
        });
      else holders.set(m.sms_id, m.user_id);
    }
    if (!view || !tokenizer) continue;
    const ids = batch.map((m) => m.sms_id);
    const expected = batch.map((m) => tokenizer.encode(m.sms_text));
    const online = await deps.storage.online.read(V2_VIEW, ids);
    const historical = await deps.features.getHistoricalFeatures({ keys: ids, timestamps: batch.map((m) => timeOfTimeUuid(m.sms_id).getTime()) }, refs);
    const offline = new Map(historical.rows.map((r) => [String(r.sms_id), r.features]));
    for (const [i, m] of batch.entries()) {
      const where = `${m.user_id}/${m.sms_id}`;
      const row = online[i];
      if (!row) {
        if (!pending.has(m.sms_id)) add({ kind: 'online_missing', sms_id: m.sms_id, detail: `${where}: no online v2 features, and its change is not pending` });
      } else if (!sameFeatures(row.values.features, expected[i]))
        add({ kind: 'features_differ', sms_id: m.sms_id, store: 'online', detail: `${where}: online v2 features differ from the features of its text` });
      const off = offline.get(m.sms_id);
      if (off === null || off === undefined) {
        if (!offlinePending.has(m.sms_id))
          add({ kind: 'offline_missing', sms_id: m.sms_id, detail: `${where}: no offline v2 features at its time, and its change is not pending` });
      } else if (!sameFeatures(off, expected[i]))
        add({ kind: 'features_differ', sms_id: m.sms_id, store: 'offline', detail: `${where}: offline v2 features differ from the features of its text` });
    }
  }

  for (const source of defs?.sources ?? []) {
    if (source.kind !== 'file') continue;
    const dir = deps.features.offline.sourceDir(source);
    if (!existsSync(dir)) continue;
    const m = await deps.features.offline.manifest(source).read();
    const known = new Set([...m.parts.map((p) => p.file), ...m.retired.map((r) => r.file)]);
    for (const f of readdirSync(dir)) {
      if (!PART_FILE.test(f) || known.has(f)) continue;
      const age = now - statSync(join(dir, f)).mtimeMs;
      if (age < IN_FLIGHT_MS) notes.push(`${source.name}: ${f} is not in the manifest yet (${Math.round(age / 1000)} s old: a write in progress?)`);
      else
        add({
          kind: 'part_not_in_manifest',
          file: join(dir, f),
          detail: `${source.name}: ${f} is on disk but not in ${source.path}/_parts.json (its rows are never read)`,
        });
    }
    for (const p of m.parts)
      if (!existsSync(join(dir, p.file)))
        add({
          kind: 'part_missing',
          file: join(dir, p.file),
          detail: `${source.name}: ${p.file} is listed in the manifest but not on disk (reads of ${source.name} fail)`,
        });
  }

  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    ok: total === 0,
    messages,
    pending: pending.size,
    counts,
    findings,
    notes,
    duration_ms: Math.round(performance.now() - t0),
  };
}
