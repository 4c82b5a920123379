/** Running a training job from a command: a progress bar on stderr, the outcome on stdout. */
import type { Engines } from '../../engines';
import type { RunRecord, StartRunRequest } from '../../../src-shared/training';
import { runProgress } from '../progress';
import { fmt, note, out } from '../context';

export async function trainWithProgress(e: Engines, req: StartRunRequest & { rerunOf?: string }): Promise<RunRecord> {
  const run = await e.runs.start(req);
  return followRun(e, run);
}

/** waits for a queued run with a progress bar; prints its metrics (or its failure) */
export async function followRun(e: Engines, run: RunRecord): Promise<RunRecord> {
  note(`run ${run.id}: training ${run.model}`);
  const stop = runProgress(e.runs, run.id);
  const r = await e.runs.wait(run.id);
  stop();
  if (r.status === 'succeeded') {
    const m = r.metrics!;
    out(
      `${r.model} version ${r.version} (${r.backend}, ${((r.durationMs ?? 0) / 1000).toFixed(1)} s): accuracy ${fmt(m.accuracy)}, precision ${fmt(m.precision)}, recall ${fmt(m.recall)}, f1 spam ${fmt(m.f1)}, roc auc ${fmt(m.rocAuc)}${r.alias ? `; alias ${r.alias}` : ''}`,
    );
  } else note(`run ${r.id} ${r.status}${r.error ? `: ${r.error}` : ''}`);
  return r;
}
