/** The Data pane's slice: the warehouse's counts, imports (live through SSE), training on what was imported. */
import { create } from 'zustand';
import { api, errorText, uploadDataset, watchImport, type DataSummary, type ImportJob, type RunRecord } from '../api';
import { MODEL_NAMES } from '../../../src-shared/training';
import { idle, loader, type Remote } from './remote';

interface DataSlice {
  summary: Remote<DataSummary>;
  imports: Remote<ImportJob[]>;
  /** the import being followed live */
  current?: ImportJob;
  starting: Remote<ImportJob>;
  streamError?: string;
  /** runs started from this pane (one per model) */
  training: Remote<RunRecord[]>;
  load(): Promise<void>;
  upload(file: File): Promise<void>;
  uci(which: 'sms' | 'youtube' | 'all'): Promise<void>;
  follow(job: ImportJob): void;
  trainAll(): Promise<void>;
  refreshRuns(): Promise<void>;
}

let stop: (() => void) | undefined;

export const useData = create<DataSlice>((set, get) => {
  const load = loader<DataSlice>(set, get);
  const started = async (start: () => Promise<ImportJob>) => {
    const job = await load('starting', start);
    if (job) get().follow(job);
  };
  return {
    summary: idle(),
    imports: idle(),
    starting: idle(),
    training: idle(),
    load: async () => {
      await Promise.all([load('summary', api.dataSummary), load('imports', api.imports)]);
      // an import under way (this page reloaded, or started elsewhere) is followed live, as one started here
      const running = get().imports.data?.find((j) => j.status === 'running');
      if (running && get().current?.id !== running.id) get().follow(running);
    },
    upload: (file) => started(() => uploadDataset(file)),
    uci: (which) => started(() => api.importUci(which)),
    follow: (job) => {
      stop?.();
      set({ current: job, streamError: undefined });
      stop = watchImport(
        job.id,
        (e) => {
          if (get().current?.id !== e.job.id) return;
          set({ current: e.job });
          if (e.type === 'done') void get().load(); // the counts and the list changed
        },
        (message) => set({ streamError: message }),
      );
    },
    trainAll: async () => {
      // no alias: new versions are challengers; production changes only when promoted
      const runs = await load('training', () =>
        Promise.all(MODEL_NAMES.map((model) => api.startRun({ model, note: 'trained from the Data pane after an import' }))),
      );
      if (!runs) return;
    },
    refreshRuns: async () => {
      const ids = new Set((get().training.data ?? []).map((r) => r.id));
      if (ids.size === 0) return;
      try {
        const all = await api.runs();
        set({ training: { ...get().training, data: all.filter((r) => ids.has(r.id)) } });
      } catch (e) {
        set({ training: { ...get().training, error: errorText(e) } });
      }
    },
  };
});
