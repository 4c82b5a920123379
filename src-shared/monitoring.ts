/** Contracts of the monitoring engine: drift reports and alerts, shared by the API and the console. */

export interface FeatureDrift {
  feature: string;
  kind: 'numeric' | 'binary' | 'tokens';
  test: 'ks' | 'wasserstein_normed' | 'z_test' | 'jensen_shannon' | 'chi_square';
  statistic: number;
  pValue?: number;
  threshold: number;
  drifted: boolean;
  psi: number;
  /** for the charts: bin labels and the shares of each side */
  bins: string[];
  reference: number[];
  current: number[];
}

export interface DriftReport {
  id: string;
  at: string;
  model: string;
  version: string;
  window: { from: string | null; to: string | null; n: number };
  referenceRows: number;
  features: FeatureDrift[];
  driftShare: number;
  datasetDrift: boolean;
  prediction: { referenceSpamShare: number; currentSpamShare: number; pValue: number; drifted: boolean };
  quality?: { n: number; accuracy: number; precision: number; recall: number; f1: number };
}

export interface Alert {
  id: string;
  at: string;
  model: string;
  version: string;
  kind: 'dataset_drift' | 'quality';
  message: string;
  numbers: Record<string, number>;
  reportId: string;
  acknowledged: boolean;
  acknowledgedAt?: string;
  webhook?: { url: string; status: number | string; at: string };
}
