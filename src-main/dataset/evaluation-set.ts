/**
 * The shared evaluation set: one labelled message in five, chosen by its sms_id alone (FNV-1a,
 * 32 bits, of the id's UTF-8 bytes). Fixed when a message is imported, whatever is imported
 * before or after it, the same in every data dir; versions trained after it are not trained on
 * it (unless a run asks to, `trainOnEvaluation`), every version is evaluated on it, and the
 * retrain's champion and challenger are judged on it, so their metrics compare.
 */
export const EVALUATION_SET = 'holdout-fnv1a-20';
const SHARE_PERCENT = 20;

const encoder = new TextEncoder();

export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const b of encoder.encode(text)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function inEvaluationSet(smsId: string): boolean {
  return fnv1a32(smsId) % 100 < SHARE_PERCENT;
}
