/** Progress bars for long commands (stderr, so piped output stays clean). */
import cliProgress from 'cli-progress';
import type { Progress } from '../featurestore';

export function viewProgress(): { onProgress: Progress; stop: () => void } {
  const quiet = !process.stderr.isTTY;
  const bars = new Map<string, cliProgress.SingleBar>();
  const multi = quiet
    ? undefined
    : new cliProgress.MultiBar(
        { format: ' {view} [{bar}] {value}/{total} rows', hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      );
  const onProgress: Progress = ({ view, done, total }) => {
    if (!multi) {
      if (done === total) process.stderr.write(`  ${view}: ${done}/${total} rows\n`);
      return;
    }
    let bar = bars.get(view);
    if (!bar) {
      bar = multi.create(total, 0, { view: view.padEnd(14) });
      bars.set(view, bar);
    }
    bar.setTotal(total);
    bar.update(done);
  };
  return { onProgress, stop: () => multi?.stop() };
}

/** A progress bar of one training run, fed by the run manager's events; returns a stop function. */
export function runProgress(runs: import('../training').TrainingRuns, runId: string): () => void {
  const tty = process.stderr.isTTY;
  const bar = tty
    ? new cliProgress.SingleBar(
        { format: ' epoch {epoch}/{epochs} [{bar}] {percentage}% | loss {loss} acc {acc} | ETA {eta_s}s', hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let started = false;
  const on = (e: import('../../src-shared/training').TrainEvent) => {
    if (e.runId !== runId) return;
    if (e.type === 'batch' || e.type === 'epoch') {
      const p = e.progress;
      const total = p.epochs * p.batches;
      const done = (p.epoch - 1) * p.batches + p.batch;
      const m = e.type === 'batch' ? e.batch : e.epoch;
      const payload = {
        epoch: p.epoch,
        epochs: p.epochs,
        loss: Number.isNaN(m.loss) ? '-' : m.loss.toFixed(4),
        acc: m.accuracy.toFixed(3),
        eta_s: Math.round(p.etaSeconds ?? 0),
      };
      if (bar) {
        if (!started) bar.start(total, 0, payload);
        started = true;
        bar.update(done, payload);
      }
      if (e.type === 'epoch') {
        const x = e.epoch;
        const line = `  epoch ${x.epoch}: loss ${Number.isNaN(x.loss) ? '-' : x.loss.toFixed(4)} acc ${x.accuracy.toFixed(4)} val_loss ${Number.isNaN(x.val_loss) ? '-' : x.val_loss.toFixed(4)} val_acc ${x.val_accuracy.toFixed(4)} (${x.seconds.toFixed(1)} s)`;
        if (bar) {
          bar.stop();
          started = false;
        }
        process.stderr.write(`${line}\n`);
      }
    } else if (e.type === 'data') {
      process.stderr.write(
        `  data: ${e.data.entities} entities at ${e.data.timeFreeze} via ${e.data.featureService} (ham ${e.data.classBalance.ham}, spam ${e.data.classBalance.spam}; train ${e.data.trainRows}, test ${e.data.testRows})\n`,
      );
    } else if (e.type === 'status' && e.backend) process.stderr.write(`  backend: ${e.backend}\n`);
  };
  runs.on('event', on);
  return () => {
    runs.off('event', on);
    if (bar && started) bar.stop();
  };
}

/** a bar over a count (bytes downloaded, bytes read); on a pipe, one line at the end */
export function countProgress(label: string, unit: 'bytes' | 'rows'): { update: (done: number, total?: number, note?: string) => void; stop: () => void } {
  const tty = process.stderr.isTTY;
  const fmtCount = (n: number) => (unit === 'bytes' ? `${(n / 1024 / 1024).toFixed(1)} MB` : n.toLocaleString('en-US'));
  const bar = tty
    ? new cliProgress.SingleBar({ format: ` ${label.padEnd(28)} [{bar}] {done}{of} {note}`, hideCursor: true }, cliProgress.Presets.shades_classic)
    : undefined;
  let started = false;
  let last = { done: 0, total: undefined as number | undefined, note: '' };
  return {
    update(done, total, note = '') {
      last = { done, total, note };
      if (!bar) return;
      const payload = { done: fmtCount(done), of: total ? ` / ${fmtCount(total)}` : '', note };
      if (!started) bar.start(total ?? done + 1, done, payload);
      started = true;
      if (total) bar.setTotal(total);
      bar.update(done, payload);
    },
    stop() {
      if (bar && started) bar.stop();
      else if (!tty && last.done) process.stderr.write(`  ${label}: ${fmtCount(last.done)}${last.total ? ` / ${fmtCount(last.total)}` : ''} ${last.note}\n`);
    },
  };
}
