/**
 * Retraining, champion against challenger: a challenger is trained on the champion's training
 * entities plus every message with a feedback label, then both are scored on the same held-out
 * rows (the challenger's test split). The challenger becomes `production` only if its spam F1
 * beats the champion's by the margin. Every decision is recorded with its numbers.
 */
import { randomBytes } from 'node:crypto';
import type { Engines } from '../engines';
import type { EvalMetrics, RunRecord } from '../../src-shared/training';
import { loadTrainingSet } from '../training/dataset';
import { evaluate } from '../training/metrics';
import { loadServedModel } from '../serving/models';

const DECISIONS = 'retraining_decisions';

export interface RetrainDecision {
  id: string;
  at: string;
  model: string;
  trigger: 'manual' | 'alert' | 'schedule';
  metric: 'f1';
  margin: number;
  champion: { version: string; metrics?: EvalMetrics };
  challenger?: { version: string; runId: string; metrics?: EvalMetrics };
  heldOutRows?: number;
  feedbackLabels: number;
  promoted: boolean;
  reason: string;
}

export async function listDecisions(engines: Engines): Promise<RetrainDecision[]> {
  return (await engines.storage.documents.list(DECISIONS)).map((d) => JSON.parse(d.json) as RetrainDecision).sort((a, b) => (a.at < b.at ? 1 : -1));
}

export async function startRetraining(
  engines: Engines,
  model: string,
  o: { margin?: number; trigger?: RetrainDecision['trigger'] } = {},
): Promise<{ run: RunRecord; decision: Promise<RetrainDecision> }> {
  const champion = await engines.models.resolve(model);
  if (!champion) throw new Error(`model ${model} has no version to challenge: train it first`);
  const margin = o.margin ?? 0.01;
  const trigger = o.trigger ?? 'manual';
  const feedbackIds = [...new Set((await engines.storage.documents.list('feedback')).map((d) => (JSON.parse(d.json) as { sms_id: string }).sms_id))];
  let baseIds = champion.params.entityIds ?? (await engines.storage.labelled.all()).map((m) => m.sms_id);
  if (champion.params.entityIdPattern) {
    const re = new RegExp(champion.params.entityIdPattern);
    baseIds = baseIds.filter((id) => re.test(id));
  }
  const params = { ...champion.params, entityIds: [...new Set([...baseIds, ...feedbackIds])], entityIdPattern: undefined, timeFreeze: new Date().toISOString() };
  const run = await engines.runs.start({ model, base: champion.base, params, note: `challenger of version ${champion.version} (${trigger})` });

  const decide = async (): Promise<RetrainDecision> => {
    const at = new Date().toISOString();
    const d: RetrainDecision = {
      id: `${at.replace(/[-:.TZ]/g, '')}-${randomBytes(3).toString('hex')}`,
      at,
      model,
      trigger,
      metric: 'f1',
      margin,
      champion: { version: champion.version },
      feedbackLabels: feedbackIds.length,
      promoted: false,
      reason: '',
    };
    const done = await engines.runs.wait(run.id);
    if (done.status !== 'succeeded' || !done.version) {
      d.reason = `the challenger run ${done.status}: ${done.error ?? ''}`;
    } else {
      const challenger = await engines.models.get(model, done.version);
      const data = await loadTrainingSet(engines, done.params);
      const rows = Array.from(data.test, (i) => data.features[i]);
      const y = Array.from(data.test, (i) => data.labels[i]);
      const score = (v: typeof champion) => evaluate(y, loadServedModel(v, () => engines.tokenizer()).predict(rows).map((p) => p.spam));
      const cm = score(champion);
      const ch = score(challenger);
      d.champion.metrics = cm;
      d.challenger = { version: challenger.version, runId: done.id, metrics: ch };
      d.heldOutRows = rows.length;
      d.promoted = ch.f1 >= cm.f1 + margin;
      d.reason = d.promoted
        ? `challenger F1 ${ch.f1.toFixed(4)} >= champion F1 ${cm.f1.toFixed(4)} + margin ${margin}: promoted to production`
        : `challenger F1 ${ch.f1.toFixed(4)} < champion F1 ${cm.f1.toFixed(4)} + margin ${margin}: champion kept`;
      if (d.promoted) await engines.models.setAlias(model, 'production', challenger.version);
    }
    await engines.storage.documents.put(DECISIONS, d.id, JSON.stringify(d));
    return d;
  };
  return { run, decision: decide() };
}
