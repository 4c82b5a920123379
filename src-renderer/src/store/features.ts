/** The Feature store pane's slice: registry objects, online lookups, materialization, offline rows. */
import { create } from 'zustand';
import {
  api,
  type GetOnlineFeaturesResponse,
  type MaterializeResponse,
  type FeatureViewStatistics,
  type FeatureServiceStatistics,
  type MessageContextAnswer,
  type OfflinePreview,
  type RegistrySnapshot,
  type SourceInfo,
  type ViewInfo,
} from '../api';
import type { EntityDef, FeatureServiceDef } from '../../../src-shared/featurestore';
import { idle, loader, type Remote } from './remote';

export const OFFLINE_SOURCES = ['smss1', 'labels', 'smss2'] as const;

export interface LookupQuery {
  ids: string[];
  /** "service:NAME" or "view:NAME" */
  target: string;
}

interface FeaturesSlice {
  views: Remote<ViewInfo[]>;
  entities: Remote<EntityDef[]>;
  sources: Remote<SourceInfo[]>;
  services: Remote<FeatureServiceDef[]>;
  history: Remote<RegistrySnapshot[]>;
  lookup: Remote<GetOnlineFeaturesResponse> & { query?: LookupQuery };
  /** the messages behind the looked-up ids (text, user, date), beside the features */
  lookupMessages: Remote<MessageContextAnswer>;
  materialization: Remote<MaterializeResponse> & { mode?: 'range' | 'incremental'; startedAt?: number };
  previewSource: string;
  preview: Remote<OfflinePreview>;
  loadRegistry(): Promise<void>;
  runLookup(q: LookupQuery): Promise<void>;
  clearLookup(): void;
  materialize(mode: 'range' | 'incremental', start: string, end: string): Promise<void>;
  loadPreview(source?: string): Promise<void>;
  /** the offline browser's query (page, sort, filters, columns) */
  browse: BrowseState;
  setBrowse(patch: Partial<BrowseState>): Promise<void>;
  statsView: string;
  stats: Remote<FeatureViewStatistics>;
  loadStats(view?: string, refresh?: boolean): Promise<void>;
  /** a feature service's training-set statistics at a time (empty: now) */
  serviceStats: Remote<FeatureServiceStatistics> & { service?: string; asOf?: string };
  loadServiceStats(service: string, at: string): Promise<void>;
}

export interface BrowseState {
  offset: number;
  limit: number;
  sort: string;
  order: 'asc' | 'desc' | '';
  prefix: string;
  label: string;
  from: string;
  to: string;
  /** comma-separated columns, empty: all */
  columns: string;
}
export const BROWSE_DEFAULT: BrowseState = { offset: 0, limit: 50, sort: '', order: '', prefix: '', label: '', from: '', to: '', columns: '' };

/** the API's query of a browse state (unset parameters left out; dates as UTC) */
export function browseParams(b: BrowseState): Record<string, string | number | undefined> {
  const utc = (d: string) => (d ? (/Z$|[+-]\d\d:?\d\d$/.test(d) ? d : `${d.length === 16 ? `${d}:00` : d}Z`) : undefined);
  return {
    limit: b.limit,
    offset: b.offset || undefined,
    sort: b.sort || undefined,
    order: b.order || undefined,
    prefix: b.prefix || undefined,
    label: b.label || undefined,
    from: utc(b.from),
    to: utc(b.to),
    columns: b.columns || undefined,
  };
}

export const useFeatures = create<FeaturesSlice>((set, get) => {
  const load = loader<FeaturesSlice>(set, get);
  return {
    views: idle(),
    entities: idle(),
    sources: idle(),
    services: idle(),
    history: idle(),
    lookup: idle(),
    lookupMessages: idle(),
    materialization: idle(),
    previewSource: 'smss1',
    preview: idle(),
    browse: BROWSE_DEFAULT,
    statsView: 'sms_features1',
    stats: idle(),
    serviceStats: idle(),
    loadServiceStats: async (service, at) => {
      set({ serviceStats: { ...get().serviceStats, service, asOf: at, loading: true } });
      await load('serviceStats', () => api.serviceStatistics(service, at || undefined));
    },
    loadRegistry: async () => {
      await Promise.all([
        load('views', api.views),
        load('entities', api.entities),
        load('sources', api.sources),
        load('services', api.services),
        load('history', api.history),
      ]);
    },
    runLookup: async (query) => {
      set({ lookup: { query, loading: true } });
      void load('lookupMessages', () => api.messageContexts(query.ids.slice(0, 100)));
      await load('lookup', async () => {
        const [kind, name] = [query.target.slice(0, query.target.indexOf(':')), query.target.slice(query.target.indexOf(':') + 1)];
        if (kind === 'service') return api.onlineFeatures({ feature_service: name, entities: { sms_id: query.ids } });
        // opened from an address before the registry was read
        if (!get().views.data) await load('views', api.views, { quiet: true });
        const view = get().views.data?.find((v) => v.name === name);
        if (!view) throw new Error(`no feature view ${name} in the registry`);
        return api.onlineFeatures({ features: view.schema.map((f) => `${view.name}:${f.name}`), entities: { sms_id: query.ids } });
      });
    },
    clearLookup: () => set({ lookup: idle(), lookupMessages: idle() }),
    materialize: async (mode, start, end) => {
      set({ materialization: { loading: true, mode, startedAt: Date.now() } });
      await load('materialization', () => (mode === 'range' ? api.materialize(start, end) : api.materializeIncremental(end)));
      void load('views', api.views, { quiet: true });
    },
    loadPreview: async (source) => {
      const s = source ?? get().previewSource;
      // another source has other columns: its filters and sort start over
      if (s !== get().previewSource) set({ previewSource: s, preview: idle(), browse: BROWSE_DEFAULT });
      const b = get().browse;
      await load('preview', () => api.browse(s, browseParams(b)));
    },
    setBrowse: async (patch) => {
      // a new filter or sort starts at the first page
      const paging = Object.keys(patch).every((k) => k === 'offset');
      set({ browse: { ...get().browse, ...(paging ? {} : { offset: 0 }), ...patch } });
      await get().loadPreview();
    },
    loadStats: async (view, refresh = false) => {
      const v = view ?? get().statsView;
      if (v !== get().statsView) set({ statsView: v, stats: idle() });
      await load('stats', () => api.statistics(v, refresh));
    },
  };
});
