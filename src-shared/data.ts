/** Contracts of data imports: a file (seed CSV, UCI TSV or CSV, a UCI zip) or the UCI download, step by step. */
import { Type, type Static } from '@sinclair/typebox';

/** what an upload may be, in words (the route's summary and its 415 answers) */
export const DATASETS_ACCEPTED =
  'a seed CSV (sms_id,text,label), the UCI SMS TSV (label<TAB>text), a UCI YouTube CSV (COMMENT_ID,...,CLASS) or a UCI zip archive';

export const UciBody = Type.Object({ which: Type.Union([Type.Literal('sms'), Type.Literal('youtube'), Type.Literal('all')]) }, { additionalProperties: false });
export type UciBody = Static<typeof UciBody>;
export const ImportIdParam = Type.Object({ id: Type.String({ pattern: '^imp-[0-9a-z-]{1,60}$', description: 'an import id' }) });
export type ImportIdParam = Static<typeof ImportIdParam>;

export const ImportStepKey = Type.Union([
  Type.Literal('upload'),
  Type.Literal('download'),
  Type.Literal('read'),
  Type.Literal('offline-sources'),
  Type.Literal('apply'),
  Type.Literal('materialize'),
]);
export type ImportStepKey = Static<typeof ImportStepKey>;
export const StepStatus = Type.Union([Type.Literal('pending'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed'), Type.Literal('skipped')]);
export type StepStatus = Static<typeof StepStatus>;

export const ImportStep = Type.Object({
  key: ImportStepKey,
  label: Type.String(),
  status: StepStatus,
  done: Type.Optional(Type.Number()),
  total: Type.Optional(Type.Number()),
  unit: Type.Optional(Type.Union([Type.Literal('bytes'), Type.Literal('rows')])),
  /** what the step found or wrote, in a sentence */
  detail: Type.Optional(Type.String()),
});
export type ImportStep = Static<typeof ImportStep>;

export const ImportJob = Type.Object({
  id: Type.String(),
  createdAt: Type.String(),
  finishedAt: Type.Optional(Type.String()),
  /** what is imported: an uploaded file (with its format) or the UCI collections */
  source: Type.Object({
    kind: Type.Union([Type.Literal('file'), Type.Literal('archive'), Type.Literal('uci')]),
    name: Type.String(),
    format: Type.Optional(Type.String()),
    which: Type.Optional(Type.String()),
  }),
  status: Type.Union([Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed')]),
  steps: Type.Array(ImportStep),
  report: Type.Optional(
    Type.Object({
      read: Type.Number(),
      inserted: Type.Number(),
      duplicates: Type.Number(),
      duplicateIds: Type.Array(Type.String()),
      /** rows whose id holds another message (another text or label): not imported */
      conflicts: Type.Optional(Type.Number()),
      conflictIds: Type.Optional(Type.Array(Type.String())),
      /** lines of a UCI SMS file numbered after the highest sms id, as the ids given held other messages */
      renumbered: Type.Optional(Type.Number()),
      problemCount: Type.Number(),
      /** the first bad rows, by line */
      problems: Type.Array(Type.Object({ line: Type.Number(), reason: Type.String() })),
      labels: Type.Object({ ham: Type.Number(), spam: Type.Number() }),
      files: Type.Record(Type.String(), Type.Number()),
    }),
  ),
  error: Type.Optional(Type.String()),
  /** the command that ran it, when not the server (`spamops import`, `spamops bootstrap`) */
  via: Type.Optional(Type.String()),
  /** the process that runs it: a job left running by a process that is gone was interrupted */
  owner: Type.Optional(Type.Object({ pid: Type.Integer(), host: Type.String(), start: Type.Optional(Type.Number()) })),
});
export type ImportJob = Static<typeof ImportJob>;

export const ImportEvent = Type.Union([
  Type.Object({ type: Type.Literal('job'), job: ImportJob }),
  Type.Object({ type: Type.Literal('done'), job: ImportJob }),
]);
export type ImportEvent = Static<typeof ImportEvent>;

export const DataSummary = Type.Object({
  labelled: Type.Number(),
  labels: Type.Record(Type.String(), Type.Number()),
  /** the largest upload accepted, bytes */
  upload_limit_bytes: Type.Number(),
});
export type DataSummary = Static<typeof DataSummary>;

/** POST /data/imports: multipart/form-data with the dataset in the field "file" (for the document; the handler reads the parts) */
export const UploadBody = Type.Object({ file: Type.String({ format: 'binary' }) });
