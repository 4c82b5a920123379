/**
 * Feedback: the true label of a message, from an operator or a tool. Kept in the feedback store (joined
 * to recorded predictions for quality) and pushed through the labels push source so that it
 * reaches the feature store's labels view (offline for retraining, online).
 */
import { randomBytes } from 'node:crypto';
import type { FeedbackStore } from '../storage';
import type { FeatureStore } from '../featurestore';

/** the push source feedback labels go to (the registry's stage 2021) */
export const LABELS_PUSH_SOURCE = 'labels_push';
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

/** Where feedback goes: the feedback store, and the labels push source. */
export interface FeedbackDeps {
  feedback: Pick<FeedbackStore, 'append' | 'page'>;
  features: Pick<FeatureStore, 'push'>;
}

export class FeedbackLog {
  constructor(private readonly deps: FeedbackDeps) {}

  record(fb: FeedbackInput): Promise<{ id: string; at: string; label_pushed: boolean; reason?: string }> {
    return recordFeedback(this.deps, fb);
  }

  /** a page of statements, newest first (ids start with their time) */
  async list(o: { limit?: number; before?: string } = {}): Promise<(FeedbackInput & { id: string; at: string })[]> {
    return (await this.deps.feedback.page({ limit: o.limit ?? 100, before: o.before })) as (FeedbackInput & { id: string; at: string })[];
  }
}

async function recordFeedback(deps: FeedbackDeps, fb: FeedbackInput): Promise<{ id: string; at: string; label_pushed: boolean; reason?: string }> {
  const at = new Date().toISOString();
  const id = `${at.replace(/[-:.TZ]/g, '')}-${randomBytes(3).toString('hex')}`;
  await deps.feedback.append({ id, at, ...fb });
  try {
    await deps.features.push(LABELS_PUSH_SOURCE, { sms_id: [fb.sms_id], event_timestamp: [at], label: [fb.true_label] }, 'online_and_offline');
    return { id, at, label_pushed: true };
  } catch (e) {
    return { id, at, label_pushed: false, reason: (e as Error).message };
  }
}
