/** Progress bars for long commands (stderr, so piped output stays clean). */
import cliProgress from 'cli-progress';
import type { Progress } from '../featurestore';

export function viewProgress(): { onProgress: Progress; stop: () => void } {
  const quiet = !process.stderr.isTTY;
  const bars = new Map<string, cliProgress.SingleBar>();
  const multi = quiet ? undefined : new cliProgress.MultiBar({ format: ' {view} [{bar}] {value}/{total} rows', hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic);
  const onProgress: Progress = ({ view, done, total }) => {
    if (!multi) {
      if (done === total) process.stderr.write(`  ${view}: ${done}/${total} rows\n`);
      return;
    }
    let bar = bars.get(view);
    if (!bar) bars.set(view, (bar = multi.create(total, 0, { view: view.padEnd(14) })));
    bar.setTotal(total);
    bar.update(done);
  };
  return { onProgress, stop: () => multi?.stop() };
}
