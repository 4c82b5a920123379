/** The Training pane's slice: runs (live through SSE), comparison, the model registry's versions. */
import { create } from 'zustand';
import { api, errorText, statusOf, watchRun, type BatchMetrics, type ModelEntry, type RunRecord, type TrainParams } from '../api';
import { MODEL_SPECS } from '../../../src-shared/model-specs';
import { idle, loader, type Remote } from './remote';
import { MODEL_NAMES, parseTrainParam, runLabelsProblem, type BuiltinModel } from '../../../src-shared/training';

/** tags as typed: separated by commas or spaces, each once */
/** comma-separated, as the field's hint says (a tag may hold spaces: the API names what it refuses) */
export const parseTags = (raw: string): string[] => [
  ...new Set(
    raw
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  ),
];

export type TrainModel = BuiltinModel;
export const TRAIN_MODELS: readonly TrainModel[] = MODEL_NAMES;
export const specOf = (m: TrainModel) => MODEL_SPECS[m];
export const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/** the form's values, as typed (strings), from the model's defaults */
export const defaultParams = (m: TrainModel): Record<string, string> =>
  Object.fromEntries(Object.entries(MODEL_SPECS[m].defaults).map(([k, v]) => [k, String(v)]));

export type SortKey = 'createdAt' | 'model' | 'status' | 'backend' | 'duration' | 'accuracy' | 'f1' | 'version';

export interface RunView {
  id: string;
  record?: RunRecord;
  /** per-batch loss and accuracy, from the record and then the live stream */
  batches: BatchMetrics[];
  streaming: boolean;
  error?: string;
}

export interface VersionFilter {
  model?: string;
  alias?: string;
  tag?: string;
  metric?: 'accuracy' | 'precision' | 'recall' | 'f1' | 'averagePrecision' | 'rocAuc';
  min?: string;
}
/** at most this many versions are compared at once */
export const COMPARE_MAX = 4;

interface TrainingSlice {
  runs: Remote<RunRecord[]>;
  models: Remote<ModelEntry[]>;
  form: { model: TrainModel; params: Record<string, string>; alias: string; name: string; tags: string };
  starting: Remote<RunRecord>;
  view?: RunView;
  sort: { key: SortKey; desc: boolean };
  compare: string[];
  /** the version whose details row is open, "model/version" */
  version?: string;
  registryAction: { busy?: string; error?: string; forceKey?: string; note?: string };
  /** the Versions table's filters (in the address): model, alias, run tag, a metric on the shared evaluation set at least min */
  versionFilter: VersionFilter;
  /** the versions ticked for comparison, "model/version", 2 to 4 of one model (in the address) */
  compareVersions: string[];
  loadAll(): Promise<void>;
  setVersionFilter(f: VersionFilter): void;
  setCompareVersions(keys: string[]): void;
  toggleCompareVersion(key: string): void;
  /** renames a run or sets its tags; the error's text, or undefined when saved */
  relabel(id: string, body: { name: string; tags: string[] }): Promise<string | undefined>;
  /** the run list and versions again, without a loading state (live updates) */
  refresh(): Promise<void>;
  setForm(p: Partial<TrainingSlice['form']>): void;
  chooseModel(m: TrainModel): void;
  resetParams(): void;
  start(): Promise<void>;
  open(id: string): Promise<void>;
  /** no run opened (stops following it) */
  close(): void;
  selectVersion(key: string | undefined): void;
  setCompare(ids: string[]): void;
  cancel(id: string): Promise<void>;
  sortBy(k: SortKey): void;
  toggleCompare(id: string): void;
  clearCompare(): void;
  setAlias(name: string, alias: string, version: string): Promise<boolean>;
  deleteVersion(name: string, version: string, force?: boolean): Promise<void>;
  dismissRegistryMessage(): void;
}

let stopWatching: (() => void) | undefined;
/** at most this often a streaming run's batches reach the page (a few renders a second) */
const FLUSH_MS = 400;

export const useTraining = create<TrainingSlice>((set, get) => {
  const load = loader<TrainingSlice>(set, get);
  const reloadLists = () => Promise.all([load('runs', api.runs, { quiet: true }), load('models', api.models, { quiet: true })]);

  /**
   * follow a run's events into `view` (and the runs table) until it ends. Batch events come in by
   * the hundred a second: they are gathered and applied at most every FLUSH_MS in one update (one
   * render), so a streaming run never holds the page (it froze for 33-75 s when every batch
   * re-rendered the chart and copied the whole history).
   */
  const follow = (id: string) => {
    stopWatching?.();
    let pending: { batches: BatchMetrics[]; progress?: RunRecord['progress'] } = { batches: [] };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      const { batches, progress } = pending;
      pending = { batches: [] };
      if (batches.length === 0) return;
      // the view only: the runs table shows no progress, and re-rendering it each time cost as much as the chart
      patchView((v) => ({
        ...v,
        batches: v.batches.concat(batches),
        record: v.record && { ...v.record, status: 'running', progress: progress ?? v.record.progress },
      }));
    };
    const flushNow = () => {
      if (timer !== undefined) clearTimeout(timer);
      flush();
    };
    const patchView = (fn: (v: RunView) => RunView) => {
      const v = get().view;
      if (v?.id === id) set({ view: fn(v) });
    };
    const patchRecord = (fn: (r: RunRecord) => RunRecord) =>
      patchView((v) => {
        if (!v.record) return v;
        const record = fn(v.record);
        // the runs table shows the live status too
        const runs = get().runs.data;
        if (runs) set({ runs: { ...get().runs, data: runs.map((r) => (r.id === id ? { ...record, history: { ...record.history, batches: [] } } : r)) } });
        return { ...v, record };
      });
    patchView((v) => ({ ...v, streaming: true, error: undefined }));
    stopWatching = watchRun(
      id,
      (e) => {
        if (e.type !== 'batch') flushNow();
        switch (e.type) {
          case 'snapshot':
            patchView((v) => ({ ...v, record: e.record, batches: e.record.history.batches.length ? e.record.history.batches : v.batches }));
            break;
          case 'status':
            patchRecord((r) => ({ ...r, status: e.status, backend: e.backend ?? r.backend, error: e.error ?? r.error }));
            break;
          case 'data':
            patchRecord((r) => ({ ...r, data: e.data }));
            break;
          case 'batch':
            pending.batches.push(e.batch);
            pending.progress = e.progress;
            timer ??= setTimeout(flush, FLUSH_MS);
            break;
          case 'epoch':
            patchRecord((r) => ({
              ...r,
              progress: e.progress,
              history: { ...r.history, epochs: [...r.history.epochs.filter((x) => x.epoch !== e.epoch.epoch), e.epoch] },
            }));
            break;
          case 'done':
            patchView((v) => ({ ...v, record: e.record, batches: e.record.history.batches.length ? e.record.history.batches : v.batches, streaming: false }));
            void reloadLists();
            break;
        }
      },
      (message) => {
        flushNow();
        patchView((v) => ({ ...v, streaming: false, error: message }));
        void reloadLists();
      },
    );
  };

  return {
    runs: idle(),
    models: idle(),
    form: { model: 'v1', params: defaultParams('v1'), alias: '', name: '', tags: '' },
    starting: idle(),
    sort: { key: 'createdAt', desc: true },
    compare: [],
    registryAction: {},
    versionFilter: {},
    compareVersions: [],
    setVersionFilter: (f) => set({ versionFilter: Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== '')) }),
    setCompareVersions: (keys) => set({ compareVersions: keys }),
    toggleCompareVersion: (key) => {
      const now = get().compareVersions;
      if (now.includes(key)) return set({ compareVersions: now.filter((k) => k !== key) });
      // one model at a time: ticking a version of another model starts a new selection
      const model = key.split('/')[0];
      const same = now.filter((k) => k.split('/')[0] === model);
      set({ compareVersions: [...same, key].slice(-COMPARE_MAX) });
    },
    relabel: async (id, body) => {
      try {
        const record = await api.labelRun(id, body);
        const v = get().view;
        if (v?.id === id && v.record) set({ view: { ...v, record: { ...v.record, name: record.name, tags: record.tags } } });
        await reloadLists();
        return undefined;
      } catch (e) {
        return errorText(e);
      }
    },
    loadAll: async () => {
      await Promise.all([load('runs', api.runs), load('models', api.models)]);
    },
    refresh: async () => {
      await reloadLists();
    },
    setForm: (p) => set({ form: { ...get().form, ...p } }),
    chooseModel: (model) => set({ form: { ...get().form, model, params: defaultParams(model) } }),
    resetParams: () => set({ form: { ...get().form, params: defaultParams(get().form.model) } }),
    start: async () => {
      const { model, params, alias } = get().form;
      const name = get().form.name.trim();
      const tags = parseTags(get().form.tags);
      const labelProblem = runLabelsProblem({ name, tags });
      if (labelProblem) {
        set({ starting: { loading: false, error: labelProblem.message } });
        return;
      }
      const body: TrainParams = {};
      // checked by the same schema the API validates with: a wrong field is named before sending
      for (const [k, raw] of Object.entries(params)) {
        const v = raw.trim();
        if (v === '') continue;
        const r = parseTrainParam(k, v);
        if ('error' in r) {
          set({ starting: { loading: false, error: r.error } });
          return;
        }
        (body as Record<string, unknown>)[k] = r.value;
      }
      const run = await load('starting', () =>
        api.startRun({ model, params: body, ...(alias.trim() ? { alias: alias.trim() } : {}), ...(name ? { name } : {}), ...(tags.length ? { tags } : {}) }),
      );
      if (!run) return;
      set({ view: { id: run.id, record: run, batches: [], streaming: true } });
      void reloadLists();
      follow(run.id);
    },
    open: async (id) => {
      stopWatching?.();
      set({ view: { id, batches: [], streaming: false } });
      try {
        const record = await api.run(id);
        if (get().view?.id !== id) return;
        set({ view: { id, record, batches: record.history.batches, streaming: false } });
        if (!TERMINAL.has(record.status)) follow(id);
      } catch (e) {
        if (get().view?.id === id) set({ view: { id, batches: [], streaming: false, error: errorText(e) } });
      }
    },
    close: () => {
      stopWatching?.();
      stopWatching = undefined;
      set({ view: undefined });
    },
    selectVersion: (version) => set({ version }),
    setCompare: (ids) => set({ compare: ids }),
    cancel: async (id) => {
      try {
        await api.cancelRun(id);
      } catch (e) {
        const v = get().view;
        if (v?.id === id) set({ view: { ...v, error: errorText(e) } });
      }
      await reloadLists();
    },
    sortBy: (key) => set({ sort: { key, desc: get().sort.key === key ? !get().sort.desc : key !== 'model' && key !== 'status' && key !== 'backend' } }),
    toggleCompare: (id) => set({ compare: get().compare.includes(id) ? get().compare.filter((x) => x !== id) : [...get().compare, id] }),
    clearCompare: () => set({ compare: [] }),
    setAlias: async (name, alias, version) => {
      set({ registryAction: { busy: `${name}/${version}` } });
      try {
        await api.setAlias(name, alias, version);
        set({ registryAction: { note: `${name} version ${version} is now "${alias}"` } });
        await reloadLists();
        return true;
      } catch (e) {
        set({ registryAction: { error: errorText(e) } });
        return false;
      }
    },
    deleteVersion: async (name, version, force = false) => {
      const key = `${name}/${version}`;
      set({ registryAction: { busy: key } });
      try {
        await api.deleteVersion(name, version, force);
        set({ registryAction: { note: `deleted ${name} version ${version}` } });
        await reloadLists();
      } catch (e) {
        // 409: the version is served; the operator may insist
        set({ registryAction: { error: errorText(e), forceKey: statusOf(e) === 409 ? key : undefined } });
      }
    },
    dismissRegistryMessage: () => set({ registryAction: {} }),
  };
});
