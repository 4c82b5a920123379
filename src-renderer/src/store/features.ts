/** The Feature store pane's slice: registry objects, online lookups, materialization, offline rows. */
import { create } from 'zustand';
import {
  api,
  type GetOnlineFeaturesResponse,
  type MaterializeResponse,
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
  materialization: Remote<MaterializeResponse> & { mode?: 'range' | 'incremental'; startedAt?: number };
  previewSource: string;
  preview: Remote<OfflinePreview>;
  loadRegistry(): Promise<void>;
  runLookup(q: LookupQuery): Promise<void>;
  clearLookup(): void;
  materialize(mode: 'range' | 'incremental', start: string, end: string): Promise<void>;
  loadPreview(source?: string): Promise<void>;
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
    materialization: idle(),
    previewSource: 'smss1',
    preview: idle(),
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
    clearLookup: () => set({ lookup: idle() }),
    materialize: async (mode, start, end) => {
      set({ materialization: { loading: true, mode, startedAt: Date.now() } });
      await load('materialization', () => (mode === 'range' ? api.materialize(start, end) : api.materializeIncremental(end)));
      void load('views', api.views, { quiet: true });
    },
    loadPreview: async (source) => {
      const s = source ?? get().previewSource;
      if (s !== get().previewSource) set({ previewSource: s, preview: idle() });
      await load('preview', () => api.preview(s, 50));
    },
  };
});
