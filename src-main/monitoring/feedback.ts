/**
 * Feedback: the true label of a message, from an operator or a tool. Kept as a document (joined
 * to recorded predictions for quality) and pushed through the labels push source so that it
 * reaches the feature store's labels view (offline for retraining, online).
 */
import { randomBytes } from 'node:crypto';
import type { DocumentStore } from '../storage';
import type { FeatureStore } from '../featurestore';

export interface FeedbackInput {
  sms_id: string;
  true_label: 'ham' | 'spam';
  caller: string;
  user_id?: string;
  predicted_label?: 'ham' | 'spam';
  model_version?: string;
  architecture?: 'I' | 'II';
  note?: string;
  source_id?: string;
}

/** Where feedback goes: a document, and the labels push source. */
export interface FeedbackDeps {
  documents: DocumentStore;
  features: Pick<FeatureStore, 'push'>;
}

export class FeedbackLog {
  constructor(private readonly deps: FeedbackDeps) {}

  record(fb: FeedbackInput): Promise<{ id: string; at: string; label_pushed: boolean; reason?: string }> {
    return recordFeedback(this.deps, fb);
  }

  /** a page of statements, newest first (ids start with their time) */
  async list(o: { limit?: number; before?: string } = {}): Promise<(FeedbackInput & { id: string; at: string })[]> {
    return (await this.deps.documents.page(FEEDBACK, { limit: o.limit ?? 100, order: 'desc', before: o.before })).map(
      (d) => JSON.parse(d.json) as FeedbackInput & { id: string; at: string },
    );
  }
}

const FEEDBACK = 'feedback';

async function recordFeedback(deps: FeedbackDeps, fb: FeedbackInput): Promise<{ id: string; at: string; label_pushed: boolean; reason?: string }> {
  const at = new Date().toISOString();
  const id = `${at.replace(/[-:.TZ]/g, '')}-${randomBytes(3).toString('hex')}`;
  await deps.documents.put(FEEDBACK, id, JSON.stringify({ id, at, ...fb }));
  try {
    await deps.features.push('labels_push', { sms_id: [fb.sms_id], event_timestamp: [at], label: [fb.true_label] }, 'online_and_offline');
    return { id, at, label_pushed: true };
  } catch (e) {
    return { id, at, label_pushed: false, reason: (e as Error).message };
  }
}
