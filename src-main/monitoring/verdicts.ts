/**
 * The inbox's verdicts: each new message scored by one model (v3 unless SPAMOPS_INBOX_MODEL says
 * otherwise) once its features are pushed, and recorded for monitoring with its sms_id so that
 * feedback can be joined to it.
 */
import type { SmsMessage } from '../storage';
import type { ServedModel } from '../serving';
import type { PredictionRecorder } from './recorder';

export interface InboxVerdictsDeps {
  models: { getAny(name: string): Promise<ServedModel> };
  recorder: Pick<PredictionRecorder, 'recordServed'>;
}

export class InboxVerdicts {
  /** the model whose verdict on each new message is recorded */
  model = process.env.SPAMOPS_INBOX_MODEL || 'v3';

  constructor(private readonly deps: InboxVerdictsDeps) {}

  record(messages: SmsMessage[]): void {
    void this.deps.models
      .getAny(this.model)
      .then((m) => {
        const rows = messages.map((msg) => m.textToFeatures(msg.sms_text));
        for (const [i, p] of m.predict(rows).entries())
          this.deps.recorder.recordServed(m, {
            endpoint: 'inbox',
            caller: 'inbox',
            features: rows[i],
            spam: p.spam,
            text: messages[i].sms_text,
            sms_id: messages[i].sms_id,
          });
      })
      .catch(() => undefined); // no model trained yet: nothing to record
  }
}
