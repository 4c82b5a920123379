/** `spamops drift [model]`: drift of the latest predictions against the model's training reference. */
import { Command } from 'commander';
import { integer, out, table, withEngines } from '../context';

export const driftCommand = new Command('drift')
  .description('drift of the latest predictions against the training reference')
  .argument('[model]', 'the model id', 'v3')
  .option('--size <n>', 'predictions in the window (default: the monitoring setting, 1000)', integer('--size', 1, 100_000))
  .action(async (model: string, o: { size?: number }, cmd: Command) =>
    withEngines(cmd, async (e) => {
      const r = await e.monitor.check(model, { size: o.size });
      out(`${model} version ${r.version}: ${r.window.n} predictions (${r.window.from ?? '-'} .. ${r.window.to ?? '-'}) vs ${r.referenceRows} training rows`);
      const rows = r.features.map((f) => [
        f.feature,
        f.test,
        f.statistic.toFixed(4),
        f.pValue === undefined ? '-' : f.pValue.toExponential(2),
        String(f.threshold),
        f.psi.toFixed(3),
        f.drifted ? 'DRIFT' : 'ok',
      ]);
      out(table(['feature', 'test', 'statistic', 'p-value', 'threshold', 'PSI', 'drift'], rows));
      const quality = r.quality ? `; accuracy on ${r.quality.n} labelled: ${r.quality.accuracy.toFixed(3)}` : '';
      out(
        `dataset drift: ${r.datasetDrift ? 'YES' : 'no'} (${(r.driftShare * 100).toFixed(0)} % of features); spam share ${r.prediction.referenceSpamShare.toFixed(3)} -> ${r.prediction.currentSpamShare.toFixed(3)}${quality}`,
      );
    }),
  );
