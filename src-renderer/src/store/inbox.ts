/** The Inbox pane's slice: the signed-in user, their messages, verdicts and feedback. */
import { create } from 'zustand';
import { api, errorText, statusOf, type PredictionAnswer, type InboxAnswer, type Sms } from '../api';
import { idle, loader, type Remote } from './remote';
import { readSetting, writeSetting } from './persist';
import type { BuiltinModel } from '../../../src-shared/training';

export type ModelVersion = BuiltinModel;
export type Architecture = 'I' | 'II';
export const VERSIONS: { id: ModelVersion; label: string; hint: string }[] = [
  { id: 'v1', label: 'v1', hint: '2019 · random forest on features v1' },
  { id: 'v2', label: 'v2', hint: '2020 · LSTM(6) on token ids' },
  { id: 'v3', label: 'v3', hint: '2021 · LSTM(96) on token ids' },
];
/** v1 reads the hand-made features v1, which the inbox does not push: architecture II needs features v2 */
export const supportsArchitectureII = (v: ModelVersion) => v !== 'v1';

export interface Verdict {
  loading?: boolean;
  result?: PredictionAnswer;
  error?: string;
  version?: ModelVersion;
  architecture?: Architecture;
  at?: number;
}
export interface Feedback {
  state: 'sending' | 'sent' | 'error' | 'unavailable';
  trueLabel: 'ham' | 'spam';
  message?: string;
  /** the API stored the label (sent, or stored without reaching the feature store) */
  recorded?: boolean;
}

/** whether a message's features v2 are in the online store (the feature step put them there) */
export type FeatureState = 'present' | 'missing';

interface InboxSlice {
  user: string;
  messages: Remote<Sms[]>;
  /** per sms_id; absent while unknown */
  features: Record<string, FeatureState>;
  version: ModelVersion;
  architecture: Architecture;
  verdicts: Record<string, Verdict>;
  feedback: Record<string, Feedback>;
  checkingAll: boolean;
  /** how many of the newest messages are asked for, and whether the user has older ones beyond them */
  shown: number;
  older: boolean;
  /** the next INBOX_PAGE older messages too */
  showOlder(): Promise<void>;
  /** the message just sent, highlighted once */
  fresh?: string;
  signIn(user: string): Promise<void>;
  signOut(): void;
  refresh(): Promise<void>;
  setVersion(v: ModelVersion): void;
  setArchitecture(a: Architecture): void;
  check(m: Sms): Promise<void>;
  checkAll(): Promise<void>;
  markWrong(m: Sms): Promise<void>;
  send(sender: string, text: string): Promise<InboxAnswer>;
  /** reads which messages have their features v2 online; checks again a while when some are missing */
  checkFeatures(): Promise<void>;
}

/** messages drawn at first, and added by each "Show older" (GET /sms/{user} answers its newest 1,000 unless asked for more) */
export const INBOX_PAGE = 1000;

/** features arrive within seconds of a message (change data capture): look again for ~30 s */
const FEATURE_RECHECK_MS = 2000;
const FEATURE_RECHECKS = 15;
let featureTimer: ReturnType<typeof setTimeout> | undefined;

const storedVersion = readSetting('spamops.inbox.version');
const initialVersion: ModelVersion = storedVersion === 'v1' || storedVersion === 'v2' || storedVersion === 'v3' ? storedVersion : 'v3';

export const useInbox = create<InboxSlice>((set, get) => {
  const load = loader<InboxSlice>(set, get);
  const putVerdict = (id: string, v: Verdict) => set({ verdicts: { ...get().verdicts, [id]: v } });

  const predict = async (m: Sms, version: ModelVersion, architecture: Architecture): Promise<PredictionAnswer> => {
    if (architecture === 'I') return api.textToPrediction(version, m.sms_text);
    // architecture II: the v2 features the inbox pushed to the online store, then the model
    const online = await api.onlineFeatures({ feature_service: 'labeled_sms_2', entities: { sms_id: [m.sms_id] } });
    const i = online.metadata.feature_names.indexOf('features');
    if (i < 0) throw new Error('the feature service labeled_sms_2 has no "features" feature');
    const status = online.results[i].statuses[0];
    if (status !== 'PRESENT')
      throw new Error(`features v2 of this message: ${status} in the online store (run \`spamops backfill ${m.user_id}\` to push them)`);
    return api.featuresToPrediction(version, online.results[i].values[0] as unknown[]);
  };

  return {
    user: readSetting('spamops.user') ?? '',
    messages: idle(),
    version: initialVersion,
    architecture: readSetting('spamops.inbox.architecture') === 'II' && supportsArchitectureII(initialVersion) ? 'II' : 'I',
    verdicts: {},
    feedback: {},
    features: {},
    checkingAll: false,
    shown: INBOX_PAGE,
    older: false,
    signIn: async (user) => {
      writeSetting('spamops.user', user);
      set({ user, messages: idle(), verdicts: {}, feedback: {}, features: {}, fresh: undefined, shown: INBOX_PAGE, older: false });
      await get().refresh();
    },
    signOut: () => {
      writeSetting('spamops.user', undefined);
      clearTimeout(featureTimer);
      set({ user: '', messages: idle(), verdicts: {}, feedback: {}, features: {}, fresh: undefined, shown: INBOX_PAGE, older: false });
    },
    refresh: async () => {
      const { user } = get();
      if (!user) return;
      const { shown } = get();
      const ms = await load('messages', async () => {
        // one more than drawn: whether older ones exist (the inbox said "1000 messages" of 2,000)
        const ms = await api.messages(user, shown + 1);
        set({ older: ms.length > shown });
        // newest first, whatever the storage answers with
        return [...ms].sort((a, b) => (a.date_sent < b.date_sent ? 1 : a.date_sent > b.date_sent ? -1 : 0)).slice(0, shown);
      });
      if (ms) await get().checkFeatures();
    },
    checkFeatures: async () => {
      clearTimeout(featureTimer);
      const rounds = { left: FEATURE_RECHECKS };
      const once = async (): Promise<void> => {
        const { user, messages } = get();
        const ids = (messages.data ?? []).map((m) => m.sms_id);
        if (!ids.length) return;
        try {
          const online = await api.onlineFeatures({ features: ['sms_features2:features'], entities: { sms_id: ids } });
          const i = online.metadata.feature_names.indexOf('features');
          if (i < 0 || get().user !== user) return;
          const features: Record<string, FeatureState> = {};
          for (const [k, id] of ids.entries()) features[id] = online.results[i].statuses[k] === 'PRESENT' ? 'present' : 'missing';
          set({ features: { ...get().features, ...features } });
          if (Object.values(features).includes('missing') && rounds.left-- > 0) featureTimer = setTimeout(() => void once(), FEATURE_RECHECK_MS);
        } catch {
          /* no registry yet (before bootstrap): the marks stay unknown */
        }
      };
      await once();
    },
    showOlder: async () => {
      set({ shown: get().shown + INBOX_PAGE });
      await get().refresh();
    },
    setVersion: (version) => {
      writeSetting('spamops.inbox.version', version);
      set({ version, architecture: supportsArchitectureII(version) ? get().architecture : 'I' });
    },
    setArchitecture: (architecture) => {
      if (architecture === 'II' && !supportsArchitectureII(get().version)) return;
      writeSetting('spamops.inbox.architecture', architecture);
      set({ architecture });
    },
    check: async (m) => {
      const { version, architecture } = get();
      putVerdict(m.sms_id, { ...get().verdicts[m.sms_id], loading: true, error: undefined });
      try {
        const result = await predict(m, version, architecture);
        putVerdict(m.sms_id, { result, version, architecture, at: Date.now() });
        // a failed feedback is forgotten (it may be tried again on the new verdict); a recorded label
        // stays, and "Mark wrong" is not offered again: it would record the opposite of the label
        // just given whenever the new verdict agrees with it
        const f = get().feedback[m.sms_id];
        if (f && f.state !== 'sending' && !f.recorded) {
          const { [m.sms_id]: _, ...rest } = get().feedback;
          set({ feedback: rest });
        }
      } catch (e) {
        putVerdict(m.sms_id, { error: errorText(e), version, architecture });
      }
    },
    checkAll: async () => {
      const queue = [...(get().messages.data ?? [])];
      set({ checkingAll: true });
      const worker = async () => {
        for (let m = queue.shift(); m; m = queue.shift()) await get().check(m);
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      set({ checkingAll: false });
    },
    markWrong: async (m) => {
      const v = get().verdicts[m.sms_id];
      if (!v?.result) return;
      const predicted = v.result.top.label === 'spam' ? 'spam' : 'ham';
      const trueLabel = predicted === 'spam' ? 'ham' : 'spam';
      const put = (f: Feedback) => set({ feedback: { ...get().feedback, [m.sms_id]: f } });
      put({ state: 'sending', trueLabel });
      try {
        const r = await api.feedback({
          sms_id: m.sms_id,
          user_id: m.user_id,
          true_label: trueLabel,
          predicted_label: predicted,
          model_version: v.version,
          architecture: v.architecture,
        });
        if (r.label_pushed) put({ state: 'sent', trueLabel, recorded: true });
        else
          put({
            state: 'unavailable',
            trueLabel,
            recorded: true,
            message: `Feedback recorded as ${trueLabel}, but the label did not reach the feature store (labels_push): ${r.reason ?? 'no reason given'}. Monitoring sees it; retraining will not.`,
          });
      } catch (e) {
        if (statusOf(e) === 404 || statusOf(e) === 405)
          put({ state: 'unavailable', trueLabel, message: 'Feedback is not available on this API yet (POST /feedback answered 404). Nothing was recorded.' });
        else put({ state: 'error', trueLabel, message: errorText(e) });
      }
    },
    send: async (sender, text) => {
      const r = await api.send(get().user, sender, text);
      await get().refresh();
      set({ fresh: r.sms_id });
      const m = get().messages.data?.find((x) => x.sms_id === r.sms_id);
      if (m) await get().check(m);
      return r;
    },
  };
});
