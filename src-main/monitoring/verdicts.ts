/**
 * The inbox's verdicts: each new message scored by one model (v3 unless SPAMOPS_INBOX_MODEL says
 * otherwise) once its features are pushed, and recorded for monitoring with its sms_id so that
 * feedback can be joined to it.
 */
import type { EncodedBatch } from '../features';
import type { SmsMessage } from '../storage';
import type { Prediction, ServedModel } from '../serving';
import type { PredictionRecorder } from './recorder';

export interface InboxVerdictsDeps {
  models: { getAny(name: string): Promise<ServedModel> };
  recorder: Pick<PredictionRecorder, 'recordServed' | 'flush'>;
  /** where the verdicts are computed: a helper thread (serving's OffThreadPredictor), else this one */
  predictor?: { predict(model: ServedModel, rows: number[][]): Promise<Prediction[]> };
}

/**
 * A verdict's id, the same in every process: the store keeps one verdict per message and model.
 * (Two processes of one data dir may each feature a message once: their relays cut the change log
 * into different envelopes, and both may find its features missing at the same moment.)
 */
export const inboxVerdictId = (model: string, smsId: string) => `inbox:${model}:${smsId}`;

export class InboxVerdicts {
  private readonly inFlight = new Set<Promise<void>>();
  /** why the last messages got no verdict, until one gets it (/health tells; a typo in SPAMOPS_INBOX_MODEL was silent) */
  failing?: { since: string; messages: number; error: string };

  /** `model`: the model whose verdict on each new message is recorded (SPAMOPS_INBOX_MODEL) */
  constructor(
    private readonly deps: InboxVerdictsDeps,
    public model = 'v3',
  ) {}

  /** resolves once every verdict asked for so far is recorded (they are computed off the serving thread) */
  async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  /**
   * Scores the messages and records the verdicts. `encoded`: the texts as the feature step encoded
   * them (`texts[i]` is message i's), used as they are when the model encodes like that tokenizer
   * (each text is then tokenized once, not three times: features, verdict, unknown-word rate).
   * Resolves once the verdicts are stored (a feature step's batch is not done before: see
   * feature-step.ts); never rejects: a verdict not stored is monitoring's loss, not the inbox's.
   */
  record(messages: SmsMessage[], encoded?: EncodedBatch): Promise<void> {
    const p = this.deps.models
      .getAny(this.model)
      .then(async (m) => {
        const known = encoded && m.encodesLike?.(encoded.tokenizer) ? encoded.texts : undefined;
        const rows = known ? known.map((e) => e.ids) : messages.map((msg) => m.textToFeatures(msg.sms_text));
        const predictions = this.deps.predictor ? await this.deps.predictor.predict(m, rows) : m.predict(rows);
        for (const [i, p] of predictions.entries())
          this.deps.recorder.recordServed(m, {
            endpoint: 'inbox',
            caller: 'inbox',
            features: rows[i],
            spam: p.spam,
            oov: known?.[i].oov,
            text: messages[i].sms_text,
            sms_id: messages[i].sms_id,
            id: inboxVerdictId(m.name, messages[i].sms_id),
          });
        await this.deps.recorder.flush();
        this.failing = undefined;
      })
      .catch((e: Error) => {
        // no model trained yet, or a model id nothing registers: nothing recorded, and /health says so
        const f = this.failing;
        this.failing = { since: f?.since ?? new Date().toISOString(), messages: (f?.messages ?? 0) + messages.length, error: e.message };
      })
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
    return p;
  }
}
