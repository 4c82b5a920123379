/**
 * Feedback: the true label of a message, from an operator or a tool. Kept as a document (joined
 * to recorded predictions for quality) and pushed through the labels push source so that it
 * reaches the feature store's labels view (offline for retraining, online).
 */
import { randomBytes } from 'node:crypto';
import type { Engines } from '../engines';

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

export async function recordFeedback(engines: Engines, fb: FeedbackInput): Promise<{ id: string; at: string; label_pushed: boolean; reason?: string }> {
  const at = new Date().toISOString();
  const id = `${at.replace(/[-:.TZ]/g, '')}-${randomBytes(3).toString('hex')}`;
  await engines.storage.documents.put('feedback', id, JSON.stringify({ id, at, ...fb }));
  try {
    await engines.features.push('labels_push', { sms_id: [fb.sms_id], event_timestamp: [at], label: [fb.true_label] }, 'online_and_offline');
    return { id, at, label_pushed: true };
  } catch (e) {
    return { id, at, label_pushed: false, reason: (e as Error).message };
  }
}
