/**
 * Retraining, champion against challenger: a challenger is trained on the champion's training
 * entities plus every message with a feedback label, then both are scored on the same held-out
 * rows (the challenger's test split). The challenger becomes `production` only if its spam F1
 * beats the champion's by the margin. Every decision is recorded with its numbers.
 */
import { randomBytes } from 'node:crypto';
import type { DocumentStore } from '../storage';
import type { TokenizerSource } from '../features';
import type { RunRecord, StartRunRequest } from '../../src-shared/training';
import type { RetrainDecision } from '../../src-shared/monitoring';
import { evaluate, featureRow, type ModelRegistry, type TrainingSet } from '../models';
import { loadServedModel } from '../serving';

const DECISIONS = 'retraining_decisions';

/** What retraining needs: the registry, the run queue, the feedback documents, the training data. */
export interface RetrainerDeps {
  models: Pick<ModelRegistry, 'resolve' | 'get' | 'setAlias'>;
  /** the run queue (training's TrainingRuns): monitoring asks for runs, it does not import training */
  runs: { start(req: StartRunRequest): Promise<RunRecord>; wait(id: string): Promise<RunRecord> };
  documents: DocumentStore;
  /** a run's training set, split as the run split it (training's loadTrainingSet over the feature store) */
  trainingSet(params: RunRecord['params']): Promise<TrainingSet>;
  tokenizers: TokenizerSource;
}

export class Retrainer {
  constructor(private readonly deps: RetrainerDeps) {}

  /** a page of decisions, newest first (ids start with their time) */
  async decisions(o: { limit?: number; before?: string } = {}): Promise<RetrainDecision[]> {
    return (await this.deps.documents.page(DECISIONS, { limit: o.limit ?? 100, order: 'desc', before: o.before })).map(
      (d) => JSON.parse(d.json) as RetrainDecision,
    );
  }

  /** queues the challenger's run; `decision` resolves once it is trained and judged */
  async start(
    model: string,
    o: { margin?: number; trigger?: RetrainDecision['trigger'] } = {},
  ): Promise<{ run: RunRecord; decision: Promise<RetrainDecision> }> {
    const { models, runs, documents, trainingSet, tokenizers } = this.deps;
    const champion = await models.resolve(model);
    if (!champion) throw new Error(`model ${model} has no version to challenge: train it first`);
    const margin = o.margin ?? 0.01;
    const trigger = o.trigger ?? 'manual';
    const feedbackIds = [...new Set((await documents.list('feedback')).map((d) => (JSON.parse(d.json) as { sms_id: string }).sms_id))];
    // the champion's entities (its ids, or every labelled id, its pattern applied) and the
    // messages operators labelled since; the ids are listed only when the champion listed them
    const params = {
      ...champion.params,
      extraEntityIds: [...new Set([...(champion.params.extraEntityIds ?? []), ...feedbackIds])].slice(0, 200_000),
      timeFreeze: new Date().toISOString(),
    };
    const run = await runs.start({ model, base: champion.base, params, note: `challenger of version ${champion.version} (${trigger})` });

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
      const done = await runs.wait(run.id);
      if (done.status !== 'succeeded' || !done.version) {
        d.reason = `the challenger run ${done.status}: ${done.error ?? ''}`;
      } else {
        const challenger = await models.get(model, done.version);
        const set = await trainingSet(done.params);
        const rows = Array.from(set.test, (i) => featureRow(set, i));
        const y = Array.from(set.test, (i) => set.labels[i]);
        const score = (v: typeof champion) =>
          evaluate(
            y,
            loadServedModel(v, tokenizers)
              .predict(rows)
              .map((p) => p.spam),
          );
        const cm = score(champion);
        const ch = score(challenger);
        d.champion.metrics = cm;
        d.challenger = { version: challenger.version, runId: done.id, metrics: ch };
        d.heldOutRows = rows.length;
        d.promoted = ch.f1 >= cm.f1 + margin;
        d.reason = d.promoted
          ? `challenger F1 ${ch.f1.toFixed(4)} >= champion F1 ${cm.f1.toFixed(4)} + margin ${margin}: promoted to production`
          : `challenger F1 ${ch.f1.toFixed(4)} < champion F1 ${cm.f1.toFixed(4)} + margin ${margin}: champion kept`;
        if (d.promoted) await models.setAlias(model, 'production', challenger.version);
      }
      await documents.put(DECISIONS, d.id, JSON.stringify(d));
      return d;
    };
    return { run, decision: decide() };
  }
}
