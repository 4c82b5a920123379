/** Contracts of data imports: a file (seed CSV, UCI TSV or CSV, a UCI zip) or the UCI download, step by step. */
import { Type, type Static } from '@sinclair/typebox';

export const UciBody = Type.Object({ which: Type.Union([Type.Literal('sms'), Type.Literal('youtube'), Type.Literal('all')]) }, { additionalProperties: false });
export type UciBody = Static<typeof UciBody>;
export const ImportIdParam = Type.Object({ id: Type.String({ pattern: '^imp-[0-9a-z-]{1,60}$', description: 'an import id' }) });
export type ImportIdParam = Static<typeof ImportIdParam>;

export type ImportStepKey = 'upload' | 'download' | 'read' | 'offline-sources' | 'apply' | 'materialize';
export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface ImportStep {
  key: ImportStepKey;
  label: string;
  status: StepStatus;
  done?: number;
  total?: number;
  unit?: 'bytes' | 'rows';
  /** what the step found or wrote, in a sentence */
  detail?: string;
}

export interface ImportJob {
  id: string;
  createdAt: string;
  finishedAt?: string;
  /** what is imported: an uploaded file (with its format) or the UCI collections */
  source: { kind: 'file' | 'archive' | 'uci'; name: string; format?: string; which?: string };
  status: 'running' | 'succeeded' | 'failed';
  steps: ImportStep[];
  report?: {
    read: number;
    inserted: number;
    duplicates: number;
    duplicateIds: string[];
    problemCount: number;
    /** the first bad rows, by line */
    problems: { line: number; reason: string }[];
    labels: { ham: number; spam: number };
    files: Record<string, number>;
  };
  error?: string;
}

export type ImportEvent = { type: 'job'; job: ImportJob } | { type: 'done'; job: ImportJob };

export interface DataSummary {
  labelled: number;
  labels: Record<string, number>;
  /** the largest upload accepted, bytes */
  upload_limit_bytes: number;
}
