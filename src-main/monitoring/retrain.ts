/**
 * Retraining, champion against challenger: a challenger is trained on the champion's training
 * entities plus every message with a feedback label, then both are scored on the shared
 * evaluation set (the challenger never trains on it; the decision says whether the champion
 * did), each at its own decision threshold. The challenger becomes `production` only if its spam
 * F1 beats the champion's by the margin. Every decision is recorded with its numbers.
 */
import { randomBytes } from 'node:crypto';
import { AliasMovedError, type FeedbackStore, type RetrainDecisionStore } from '../storage';
import type { RunRecord, StartRunRequest } from '../../src-shared/training';
import type { RetrainDecision } from '../../src-shared/monitoring';
import { evaluate, type ModelRegistry } from '../models';
import type { VersionEvaluations } from '../serving';

/** What retraining needs: the registry, the run queue, feedback, where decisions are kept, the training data. */
export interface RetrainerDeps {
  models: Pick<ModelRegistry, 'resolve' | 'get' | 'setAlias'>;
  /** the run queue (training's TrainingRuns): monitoring asks for runs, it does not import training */
  runs: { start(req: StartRunRequest): Promise<RunRecord>; wait(id: string): Promise<RunRecord> };
  decisions: RetrainDecisionStore;
  feedback: Pick<FeedbackStore, 'all'>;
  /** every version scored on the shared evaluation set */
  evaluations: Pick<VersionEvaluations, 'evaluate'>;
}

/** a retrain asked for while one of the same model is under way (three clicks started three challengers) */
export class RetrainUnderWayError extends Error {
  constructor(
    readonly model: string,
    readonly runId: string | undefined,
  ) {
    super(
      `a retrain of ${model} is under way${runId ? ` (challenger run ${runId})` : ''}: its decision comes first; ask again once it is recorded (GET /monitoring/retrain)`,
    );
  }
}

export class Retrainer {
  constructor(private readonly deps: RetrainerDeps) {}

  /** the models with a retrain under way in this process, and their challenger's run once queued */
  private readonly underWay = new Map<string, string | undefined>();

  /** a page of decisions, newest first (ids start with their time) */
  async decisions(o: { limit?: number; before?: string } = {}): Promise<RetrainDecision[]> {
    return this.deps.decisions.page({ limit: o.limit ?? 100, before: o.before });
  }

  /** queues the challenger's run; `decision` resolves once it is trained and judged */
  async start(
    model: string,
    o: { margin?: number; trigger?: RetrainDecision['trigger'] } = {},
  ): Promise<{ run: RunRecord; decision: Promise<RetrainDecision> }> {
    // taken before the first await: requests at once see each other
    if (this.underWay.has(model)) throw new RetrainUnderWayError(model, this.underWay.get(model));
    this.underWay.set(model, undefined);
    try {
      const started = await this.started(model, o);
      this.underWay.set(model, started.run.id);
      void started.decision.finally(() => this.underWay.delete(model)).catch(() => undefined);
      return started;
    } catch (e) {
      this.underWay.delete(model);
      throw e;
    }
  }

  private async started(
    model: string,
    o: { margin?: number; trigger?: RetrainDecision['trigger'] },
  ): Promise<{ run: RunRecord; decision: Promise<RetrainDecision> }> {
    const { models, runs, decisions, feedback, evaluations } = this.deps;
    const champion = await models.resolve(model);
    if (!champion) throw new Error(`model ${model} has no version to challenge: train it first`);
    // what production holds now (the champion, or nothing when the newest version answers for it)
    const holder = champion.aliases.includes('production') ? champion.version : null;
    const margin = o.margin ?? 0.01;
    const trigger = o.trigger ?? 'manual';
    const feedbackIds = [...new Set((await feedback.all()).map((f) => f.sms_id))];
    // the champion's entities (its ids, or every labelled id, its pattern applied) and the
    // messages operators labelled since; the ids are listed only when the champion listed them
    // never trained on the evaluation set it is judged on, whatever the champion was: the shared
    // split, the set held out (a champion trained with `trainOnEvaluation` or a random split passed
    // that on, and its challenger was promoted on figures that flattered it)
    const { trainOnEvaluation: _t, split: _s, testSize: _z, ...championParams } = champion.params;
    const params = {
      ...championParams,
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
      try {
        await judge(d);
      } catch (e) {
        // the champion deleted meanwhile, the evaluation failed: recorded, never an unhandled rejection
        d.promoted = false;
        d.reason = `the decision failed: ${(e as Error).message}`;
      }
      await decisions.put(d);
      return d;
    };

    const judge = async (d: RetrainDecision): Promise<void> => {
      const done = await runs.wait(run.id);
      if (done.status !== 'succeeded' || !done.version) {
        d.reason = `the challenger run ${done.status}: ${done.error ?? ''}`;
      } else {
        const challenger = await models.get(model, done.version);
        const score = async (v: typeof champion) => {
          const e = await evaluations.evaluate(v);
          return { e, metrics: evaluate(e.labels, e.scores, v.threshold?.value) };
        };
        const cm = await score(champion);
        const { e, metrics: ch } = await score(challenger);
        d.champion.metrics = cm.metrics;
        d.challenger = { version: challenger.version, runId: done.id, metrics: ch };
        d.heldOutRows = e.labels.length;
        d.evaluationSet = { set: e.set, messages: e.labels.length, championTrainedOn: cm.e.trainedOn };
        // the same weights registered as the champion's version again: nothing to promote, whatever the margin
        const same = challenger.version === champion.version;
        d.promoted = !same && ch.f1 >= cm.metrics.f1 + margin;
        d.reason = same
          ? `the challenger came out the same as the champion (the same weights, version ${champion.version}; F1 ${ch.f1.toFixed(4)} on ${e.labels.length} messages of ${e.set}): nothing to promote`
          : d.promoted
            ? `challenger F1 ${ch.f1.toFixed(4)} >= champion F1 ${cm.metrics.f1.toFixed(4)} + margin ${margin} on ${e.labels.length} messages of ${e.set}: promoted to production`
            : `challenger F1 ${ch.f1.toFixed(4)} < champion F1 ${cm.metrics.f1.toFixed(4)} + margin ${margin} on ${e.labels.length} messages of ${e.set}: champion kept`;
        if (d.promoted) {
          try {
            // only from the champion it was judged against: a promotion made while it trained stands
            await models.setAlias(model, 'production', challenger.version, `retraining ${d.id}: ${d.reason}`, { expect: holder });
          } catch (e) {
            if (!(e instanceof AliasMovedError)) throw e;
            d.promoted = false;
            d.reason = `${d.reason.replace(/: promoted to production$/, '')}, but production moved to ${e.actual === null ? 'no version' : `version ${e.actual}`} while the challenger trained: not promoted (the challenger is version ${challenger.version})`;
          }
        }
      }
    };
    const decision = decide();
    // awaited by whoever asked for it, if anyone: its failure is recorded in it, never unhandled
    decision.catch(() => undefined);
    return { run, decision };
  }
}
