/** Console state: one zustand slice per pane, plus the shell's. */
import { create } from 'zustand';
import { api, errorText, type PredictionOut, type Sms } from './api';

export type Pane = 'inbox' | 'features' | 'training' | 'serving' | 'drift';
export type Theme = 'light' | 'dark';

interface ShellSlice {
  pane: Pane;
  theme: Theme;
  setPane(p: Pane): void;
  toggleTheme(): void;
}

export interface Verdict {
  loading?: boolean;
  result?: PredictionOut;
  error?: string;
  version?: string;
  architecture?: 'I' | 'II';
  reported?: boolean;
}

interface InboxSlice {
  user: string;
  messages: Sms[];
  loading: boolean;
  error?: string;
  version: string;
  architecture: 'I' | 'II';
  verdicts: Record<string, Verdict>;
  signIn(user: string): Promise<void>;
  refresh(): Promise<void>;
  setVersion(v: string): void;
  setArchitecture(a: 'I' | 'II'): void;
  check(m: Sms): Promise<void>;
  checkAll(): Promise<void>;
  markWrong(m: Sms): Promise<void>;
}

const initialTheme = (): Theme => (localStorage.getItem('spamops.theme') as Theme | null) ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
const paneFromHash = (): Pane => {
  const p = location.hash.replace(/^#\/?/, '') as Pane;
  return ['inbox', 'features', 'training', 'serving', 'drift'].includes(p) ? p : 'inbox';
};

export const useShell = create<ShellSlice>((set, get) => ({
  pane: paneFromHash(),
  theme: initialTheme(),
  setPane: (pane) => {
    location.hash = `/${pane}`;
    set({ pane });
  },
  toggleTheme: () => {
    const theme = get().theme === 'dark' ? 'light' : 'dark';
    localStorage.setItem('spamops.theme', theme);
    set({ theme });
  },
}));
window.addEventListener('hashchange', () => useShell.setState({ pane: paneFromHash() }));

export const useInbox = create<InboxSlice>((set, get) => ({
  user: localStorage.getItem('spamops.user') ?? '',
  messages: [],
  loading: false,
  version: 'v3',
  architecture: 'I',
  verdicts: {},
  signIn: async (user) => {
    localStorage.setItem('spamops.user', user);
    set({ user, messages: [], verdicts: {} });
    await get().refresh();
  },
  refresh: async () => {
    const { user } = get();
    if (!user) return;
    set({ loading: true, error: undefined });
    try {
      set({ messages: await api.messages(user), loading: false });
    } catch (e) {
      set({ error: errorText(e), loading: false });
    }
  },
  setVersion: (version) => set({ version, architecture: version === 'v1' ? 'I' : get().architecture }),
  setArchitecture: (architecture) => set({ architecture }),
  check: async (m) => {
    const { version, architecture } = get();
    const put = (v: Verdict) => set({ verdicts: { ...get().verdicts, [m.sms_id]: v } });
    put({ loading: true });
    try {
      let result: PredictionOut;
      if (architecture === 'I') result = await api.textToPrediction(version, m.sms_text);
      else {
        // architecture II: the features pushed by the inbox, from the online store
        const online = await api.onlineFeatures({ feature_service: 'labeled_sms_2', entities: { sms_id: [m.sms_id] } });
        const i = online.metadata.feature_names.indexOf('features');
        if (online.results[i].statuses[0] !== 'PRESENT') throw new Error('no v2 features in the online store for this message (run `spamops backfill`)');
        result = await api.featuresToPrediction(version, online.results[i].values[0] as number[]);
      }
      put({ result, version, architecture });
    } catch (e) {
      put({ error: errorText(e) });
    }
  },
  checkAll: async () => {
    await Promise.all(get().messages.map((m) => get().check(m)));
  },
  markWrong: async (m) => {
    const v = get().verdicts[m.sms_id];
    if (!v?.result) return;
    const predicted = v.result.top.label;
    try {
      await api.feedback({ sms_id: m.sms_id, user_id: m.user_id, true_label: predicted === 'spam' ? 'ham' : 'spam', predicted_label: predicted, model_version: v.version, architecture: v.architecture });
      set({ verdicts: { ...get().verdicts, [m.sms_id]: { ...v, reported: true } } });
    } catch (e) {
      set({ verdicts: { ...get().verdicts, [m.sms_id]: { ...v, error: errorText(e) } } });
    }
  },
}));
