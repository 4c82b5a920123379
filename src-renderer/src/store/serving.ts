/** The Serving pane's slice: served versions, request statistics over time, try-it, call log. */
import { create } from 'zustand';
import { api, type CallLogRow, type ModelEntry, type PredictionAnswer, type ServingStatsAnswer, type VersionPredictionAnswer } from '../api';
import { idle, loader, type Remote } from './remote';

export interface HitRateSample {
  t: number;
  hit_rate: number;
  hits: number;
  misses: number;
  requests: number;
}

export const STATS_WINDOWS = ['5m', '15m', '1h'] as const;
export type StatsWindow = (typeof STATS_WINDOWS)[number];

interface ServingSlice {
  models: Remote<ModelEntry[]>;
  stats: Remote<ServingStatsAnswer>;
  /** the charts' window: the last minutes or hour */
  window: StatsWindow;
  setWindow(w: StatsWindow): Promise<void>;
  /** cache hit rate as sampled by this console while the pane is open (the API keeps totals only) */
  hitRate: HitRateSample[];
  version: string;
  /** "Try it" against a registered version of the model: a number or an alias; '' the served route */
  tried: string;
  text: string;
  prediction: Remote<PredictionAnswer | VersionPredictionAnswer> & { version?: string; tried?: string; text?: string };
  log: Remote<CallLogRow[]>;
  loadAll(): Promise<void>;
  poll(): Promise<void>;
  setVersion(v: string): void;
  setTried(v: string): void;
  setText(t: string): void;
  predict(): Promise<void>;
  loadLog(): Promise<void>;
}

export const useServing = create<ServingSlice>((set, get) => {
  const load = loader<ServingSlice>(set, get);
  const sample = (s: ServingStatsAnswer | undefined) => {
    if (!s) return;
    const prev = get().hitRate;
    const last = prev[prev.length - 1];
    const point = { t: Date.now(), hit_rate: s.cache.hit_rate, hits: s.cache.hits, misses: s.cache.misses, requests: s.requests.total };
    // one point per change (and at most one per 5 s when nothing changes)
    if (last && last.hits === point.hits && last.misses === point.misses && point.t - last.t < 5000) return;
    set({ hitRate: [...prev, point].slice(-240) });
  };
  return {
    models: idle(),
    stats: idle(),
    window: '15m',
    setWindow: async (window) => {
      set({ window });
      await load('stats', () => api.servingStats(window));
    },
    hitRate: [],
    version: 'v3',
    tried: '',
    text: 'WINNER!! Claim your FREE prize now, call 09061701461',
    prediction: idle(),
    log: idle(),
    loadAll: async () => {
      const [, s] = await Promise.all([load('models', api.models), load('stats', () => api.servingStats(get().window)), get().loadLog()]);
      sample(s);
      // the served ids come from the server (SPAM_MODEL_VERSIONS): keep the chosen one if served
      const names = s?.served.map((x) => x.name) ?? [];
      if (names.length && !names.includes(get().version)) get().setVersion(names.includes('v3') ? 'v3' : names[0]);
    },
    poll: async () => {
      if (get().stats.missing) return;
      sample(await load('stats', () => api.servingStats(get().window), { quiet: true }));
    },
    setVersion: (version) => {
      set({ version, tried: '' });
      void get().loadLog();
    },
    setTried: (tried) => set({ tried }),
    setText: (text) => set({ text }),
    predict: async () => {
      const { version, tried, text } = get();
      set({ prediction: { loading: true, version, tried, text } });
      await load('prediction', () => (tried ? api.versionPrediction(version, tried, text) : api.textToPrediction(version, text)));
      await Promise.all([get().poll(), get().loadLog()]);
    },
    loadLog: async () => {
      const v = get().version;
      await load('log', () => api.callLogFile(v), { quiet: get().log.data !== undefined });
    },
  };
});
