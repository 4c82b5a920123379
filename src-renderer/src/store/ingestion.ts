/** The Ingestion view's slice (Serving pane): stream on or off, lag, throughput, dead letters and their retry. */
import { create } from 'zustand';
import { api, errorText, type DeadLetter, type IngestionStats } from '../api';
import { idle, loader, type Remote } from './remote';

interface IngestionSlice {
  stats: Remote<IngestionStats>;
  deadLetters: Remote<DeadLetter[]>;
  /** the dead letter being retried, and what came of the last retry */
  retrying?: number;
  retried?: { seq: number; ok: boolean; message: string };
  poll(): Promise<void>;
  retry(seq: number): Promise<void>;
}

export const useIngestion = create<IngestionSlice>((set, get) => {
  const load = loader<IngestionSlice>(set, get);
  return {
    stats: idle(),
    deadLetters: idle(),
    poll: async () => {
      const s = await load('stats', api.ingestionStats, { quiet: get().stats.data !== undefined });
      // dead letters exist only with the stream on, and can be read only while it is connected
      if (s?.mode === 'stream' && s.stream?.connected) await load('deadLetters', () => api.deadLetters(50), { quiet: get().deadLetters.data !== undefined });
      else if (s?.mode === 'embedded') set({ deadLetters: { loading: false, data: [] } });
    },
    retry: async (seq) => {
      set({ retrying: seq, retried: undefined });
      try {
        const r = await api.retryDeadLetter(seq);
        set({ retried: { seq, ok: true, message: `published again to ${r.to} (sequence ${r.new_seq})` } });
      } catch (e) {
        set({ retried: { seq, ok: false, message: errorText(e) } });
      } finally {
        set({ retrying: undefined });
      }
      await get().poll();
    },
  };
});
