/** The Drift pane's slice: the monitored model, its drift report and history, alerts. */
import { create } from 'zustand';
import { api, type Alert, type DriftChoice, type DriftReport, type DriftReportSummary, type FeatureHistograms, type ModelEntry } from '../api';
import { idle, loader, type Remote } from './remote';

interface DriftSlice {
  models: Remote<ModelEntry[]>;
  chosen?: string;
  report: Remote<DriftReport>;
  history: Remote<DriftReportSummary[]>;
  alerts: Remote<Alert[]>;
  checking: Remote<DriftReport>;
  /** the drill-down: one feature's histogram in each of the last stored windows */
  histograms: Remote<FeatureHistograms>;
  loadHistograms(feature: string, windows?: number): Promise<void>;
  /** the window and reference chosen in the pane (default: the settings' window, the training rows) */
  choice: DriftChoice;
  setChoice(c: DriftChoice): Promise<void>;
  loadAll(): Promise<void>;
  choose(model: string): Promise<void>;
  runCheck(): Promise<void>;
  ack(id: string, note?: string): Promise<void>;
  /** starts a retrain answering an alert (its decision is then shown beside it) */
  retrainFromAlert(model: string, id: string): Promise<void>;
  /** reloads the alerts quietly (a retrain started from one is deciding) */
  refreshAlerts(): Promise<void>;
}

/** models with a trained version can be monitored; v3 first when there is one */
export function monitoredModels(models: ModelEntry[] | undefined): string[] {
  const ids = (models ?? []).filter((m) => m.versions.length > 0).map((m) => m.id);
  return ids.includes('v3') ? ['v3', ...ids.filter((x) => x !== 'v3')] : ids;
}

export const useDrift = create<DriftSlice>((set, get) => {
  const load = loader<DriftSlice>(set, get);
  const current = () => get().chosen ?? monitoredModels(get().models.data)[0];
  const loadModel = async () => {
    const model = current();
    if (!model) return;
    await Promise.all([load('report', () => api.drift(model, get().choice)), load('history', () => api.driftHistory(model))]);
  };
  return {
    models: idle(),
    report: idle(),
    history: idle(),
    alerts: idle(),
    checking: idle(),
    histograms: idle(),
    loadHistograms: async (feature, windows = 8) => {
      const model = current();
      if (!model) return;
      const quiet = get().histograms.data?.model === model && get().histograms.data?.feature === feature;
      await load('histograms', () => api.featureHistograms(model, feature, windows), { quiet });
    },
    choice: {},
    setChoice: async (c) => {
      set({ choice: c });
      await loadModel();
    },
    loadAll: async () => {
      await Promise.all([load('models', api.models, { quiet: get().models.data !== undefined }), load('alerts', api.alerts)]);
      const ids = monitoredModels(get().models.data);
      if (get().chosen && !ids.includes(get().chosen!)) set({ chosen: undefined });
      await loadModel();
    },
    choose: async (model) => {
      set({ chosen: model, report: idle(), history: idle(), histograms: idle() });
      await loadModel();
    },
    runCheck: async () => {
      const model = current();
      if (!model) return;
      const r = await load('checking', () => api.check(model, get().choice));
      if (current() !== model) return; // switched to another model during the check
      if (r) set({ report: { data: r, loading: false, at: Date.now() } });
      await Promise.all([load('history', () => api.driftHistory(model), { quiet: true }), load('alerts', api.alerts, { quiet: true })]);
    },
    ack: async (id, note) => {
      await load(
        'alerts',
        async () => {
          await api.ack(id, note);
          return api.alerts();
        },
        { quiet: true },
      );
    },
    retrainFromAlert: async (model, id) => {
      await load(
        'alerts',
        async () => {
          await api.retrain(model, undefined, id);
          return api.alerts();
        },
        { quiet: true },
      );
    },
    refreshAlerts: async () => {
      await load('alerts', api.alerts, { quiet: true });
    },
  };
});
