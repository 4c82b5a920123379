/**
 * Labelled messages into the warehouse, batch by batch as they are read (a file, a UCI archive,
 * an upload): bad rows reported by line, existing ids never overwritten, progress as it goes.
 * Memory stays bounded: a batch is written before the next is read, and only the first 1,000
 * problems and 20 duplicate ids are kept for the report (all are counted).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Engines } from '../engines';
import type { DatasetBatch, RowProblem } from '../dataset';

export interface ImportReport {
  /** messages read from the source (good rows) */
  read: number;
  inserted: number;
  duplicates: number;
  duplicateIds: string[];
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
  return { read: 0, inserted: 0, duplicates: 0, duplicateIds: [], problems: [], problemCount: 0, labels: { ham: 0, spam: 0 }, files: {} };
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

async function readInto(
  engines: Pick<Engines, 'storage'>,
  batches: AsyncIterable<DatasetBatch & { entry?: string }>,
  o: { file: string; onBatch?: (r: ImportReport, bytesRead: number) => void },
  r: ImportReport,
): Promise<void> {
  for await (const b of batches) {
    const file = b.entry ?? o.file;
    r.files[file] = (r.files[file] ?? 0) + b.rows.length;
    r.read += b.rows.length;
    for (const row of b.rows) r.labels[row.label as 'ham' | 'spam']++;
    r.problemCount += b.problems.length;
    for (const p of b.problems) if (r.problems.length < KEEP_PROBLEMS) r.problems.push(b.entry ? { ...p, reason: `${b.entry}: ${p.reason}` } : p);
    // in slices, the server answering between them: a batch of 20,000 in one write held /health for 0.3-0.6 s
    for (let i = 0; i < b.rows.length; i += INSERT_SLICE) {
      const ins = await engines.storage.labelled.insertMany(b.rows.slice(i, i + INSERT_SLICE));
      r.inserted += ins.inserted;
      r.duplicates += ins.duplicates.length;
      for (const d of ins.duplicates) if (r.duplicateIds.length < KEEP_DUPLICATES) r.duplicateIds.push(d);
      await nextTurn();
    }
    o.onBatch?.(r, b.bytesRead);
  }
}
