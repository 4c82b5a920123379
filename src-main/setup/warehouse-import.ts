/**
 * Labelled messages into the warehouse, batch by batch as they are read (a file, a UCI archive,
 * an upload): bad rows reported by line, existing ids never overwritten, progress as it goes.
 * Memory stays bounded: a batch is written before the next is read, and only the first 1,000
 * problems and 20 duplicate ids are kept for the report (all are counted).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Engines } from '../engines';
import { MAX_ID_NUMBER, UCI_SMS_FIRST_ID, type DatasetBatch, type RowProblem } from '../dataset';

export interface ImportReport {
  /** messages read from the source (good rows) */
  read: number;
  inserted: number;
  /** rows whose id holds this very message already */
  duplicates: number;
  duplicateIds: string[];
  /** rows whose id holds another message (another text or label): not imported */
  conflicts: number;
  /** the first of them: the id, and what it holds against what the file says */
  conflictIds: string[];
  /** lines of a UCI SMS file (ids SpamOps gives) whose id held another message, imported under new ids */
  renumbered: number;
  problems: RowProblem[];
  problemCount: number;
  labels: { ham: number; spam: number };
  /** rows read per file (an archive has several) */
  files: Record<string, number>;
}

/** rows written to the warehouse per write */
const INSERT_SLICE = 2000;
const KEEP_PROBLEMS = 1000;
const KEEP_DUPLICATES = 20;

export function emptyReport(): ImportReport {
  return {
    read: 0,
    inserted: 0,
    duplicates: 0,
    duplicateIds: [],
    conflicts: 0,
    conflictIds: [],
    renumbered: 0,
    problems: [],
    problemCount: 0,
    labels: { ham: 0, spam: 0 },
    files: {},
  };
}

export async function importBatches(
  engines: Pick<Engines, 'storage'>,
  batches: AsyncIterable<DatasetBatch & { entry?: string }>,
  o: { file: string; report?: ImportReport; onBatch?: (r: ImportReport, bytesRead: number) => void },
): Promise<ImportReport> {
  const r = o.report ?? emptyReport();
  try {
    await readInto(engines, batches, o, r);
  } catch (e) {
    // the batches before the failure are stored (a batch is one transaction); say so, and why a
    // second import is safe, rather than leave the user to guess what a failed import left
    if (e instanceof Error && r.inserted > 0)
      e.message += `; the ${r.inserted.toLocaleString('en')} messages before it were imported and are kept (ids are never overwritten: importing the file again, fixed, adds only the rest)`;
    throw e;
  }
  return r;
}

/** conflicts counted, the first few kept for the report */
function countConflicts(r: ImportReport, ids: string[]): void {
  r.conflicts += ids.length;
  for (const id of ids) if (r.conflictIds.length < KEEP_DUPLICATES) r.conflictIds.push(id);
}

/** numbers after every `sms<n>` id the warehouse holds, whatever its origin (one scan, on the first need) */
async function freeSmsNumber(engines: Pick<Engines, 'storage'>): Promise<{ take(): number }> {
  let next = UCI_SMS_FIRST_ID;
  for await (const ids of engines.storage.labelled.scanIds(5000))
    for (const id of ids) {
      const m = /^sms(\d{1,13})$/.exec(id);
      if (m && Number(m[1]) < MAX_ID_NUMBER && Number(m[1]) + 1 > next) next = Number(m[1]) + 1;
    }
  return { take: () => next++ };
}

async function readInto(
  engines: Pick<Engines, 'storage'>,
  batches: AsyncIterable<DatasetBatch & { entry?: string }>,
  o: { file: string; onBatch?: (r: ImportReport, bytesRead: number) => void },
  r: ImportReport,
): Promise<void> {
  let numbering: Promise<{ take(): number }> | undefined;
  for await (const b of batches) {
    const file = b.entry ?? o.file;
    r.files[file] = (r.files[file] ?? 0) + b.rows.length;
    r.read += b.rows.length;
    for (const row of b.rows) r.labels[row.label as 'ham' | 'spam']++;
    r.problemCount += b.problems.length;
    for (const p of b.problems) if (r.problems.length < KEEP_PROBLEMS) r.problems.push(b.entry ? { ...p, reason: `${b.entry}: ${p.reason}` } : p);
    // in slices, the server answering between them: a batch of 20,000 in one write held /health for 0.3-0.6 s
    for (let i = 0; i < b.rows.length; i += INSERT_SLICE) {
      const slice = b.rows.slice(i, i + INSERT_SLICE);
      const ins = await engines.storage.labelled.insertMany(slice);
      r.inserted += ins.inserted;
      r.duplicates += ins.duplicates.length;
      for (const d of ins.duplicates) if (r.duplicateIds.length < KEEP_DUPLICATES) r.duplicateIds.push(d);
      if (ins.conflicts.length && b.format === 'uci-sms-tsv' && !b.entry) {
        // a UCI SMS file carries no ids: those SpamOps gave its lines are held by other messages
        // (a seed CSV's, another file's), so these lines are other messages and get ids of their own.
        // Not the UCI archive's: its ids are the seed story's (sms10001…), a line that differs from
        // the message its id holds is reported, not added as a near-duplicate
        const held = new Set(ins.conflicts);
        numbering ??= freeSmsNumber(engines);
        const next = await numbering;
        const again = slice.filter((row) => held.has(row.sms_id)).map((row) => ({ ...row, sms_id: `sms${next.take()}` }));
        const more = await engines.storage.labelled.insertMany(again);
        r.inserted += more.inserted;
        r.renumbered += more.inserted;
        r.duplicates += more.duplicates.length;
        countConflicts(r, more.conflicts);
      } else countConflicts(r, ins.conflicts);
      await nextTurn();
    }
    o.onBatch?.(r, b.bytesRead);
  }
}
