/** `spamops drift [model]`: drift of a window of predictions against a reference (the training rows by default). */
import { Command, InvalidArgumentError } from 'commander';
import { GROUPS } from '../groups';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliError, integer, oneOf, out, table, withEngines } from '../context';
import { driftReportHtml } from '../../monitoring';
import { instantMs } from '../../featurestore';

/** a time on the command line: epoch milliseconds or an ISO 8601 date/time (an impossible date, such as February 30, refused) */
function instant(flag: string): (raw: string) => number {
  return (raw) => {
    const ms = instantMs(raw);
    if (ms === undefined) throw new InvalidArgumentError(`${flag}: expected epoch milliseconds or an ISO 8601 date/time, got "${raw}"`);
    return ms;
  };
}

interface DriftFlags {
  size?: number;
  from?: number;
  to?: number;
  reference?: 'training' | 'window';
  referenceFrom?: number;
  referenceTo?: number;
  referenceSize?: number;
  html?: string;
  json?: string;
}

/** a report file's path that cannot be written (a directory, a missing folder): said before the report is computed */
function checkWritable(flag: string, path: string | undefined): void {
  if (path === undefined) return;
  const full = resolve(path);
  if (existsSync(full) && statSync(full).isDirectory()) throw new CliError(`${flag}: ${full} is a directory; expected a file name`);
  if (!existsSync(dirname(full))) throw new CliError(`${flag}: the folder ${dirname(full)} does not exist`);
}

/** writes a report file, or says which flag's file could not be written */
function save(flag: string, path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new CliError(`${flag}: cannot write ${path}: ${(e as Error).message}`);
  }
  out(`wrote ${resolve(path)}`);
}

export const driftCommand = new Command('drift')
  .helpGroup(GROUPS.monitoring)
  .description(
    "drift of a window of predictions against a reference (the training rows, or an earlier window of live traffic), judged with the saved monitoring settings; a look: the report is not stored and raises no alert (the server's checks do)",
  )
  .argument('[model]', 'the model id', 'v3')
  .option('--size <n>', 'predictions in the window (default: the monitoring setting, 1000)', integer('--size', 1, 100_000))
  .option('--from <time>', 'the window starts at (epoch ms or ISO 8601)', instant('--from'))
  .option('--to <time>', 'the window ends before (epoch ms or ISO 8601)', instant('--to'))
  .option(
    '--reference <which>',
    'training (default) or window (an earlier window: --reference-from/--reference-to)',
    oneOf('--reference', ['training', 'window'] as const),
  )
  .option('--reference-from <time>', 'the reference window starts at', instant('--reference-from'))
  .option('--reference-to <time>', 'the reference window ends before', instant('--reference-to'))
  .option('--reference-size <n>', 'at most this many predictions in the reference window', integer('--reference-size', 1, 100_000))
  .option('--html <file>', 'also save the report as one self-contained HTML page (charts included, opens offline)')
  .option('--json <file>', 'also save the report as JSON')
  .action(async (model: string, o: DriftFlags, cmd: Command) => {
    if (o.from !== undefined && o.to !== undefined && o.to <= o.from) throw new CliError('--to: must be after --from');
    const refWindow = o.referenceFrom !== undefined || o.referenceTo !== undefined || o.referenceSize !== undefined;
    if (o.reference !== 'window' && refWindow) throw new CliError('--reference-from/--reference-to/--reference-size need --reference window');
    if (o.reference === 'window' && o.referenceFrom === undefined && o.referenceTo === undefined)
      throw new CliError('--reference window needs --reference-from or --reference-to (the earlier window of live traffic)');
    checkWritable('--html', o.html);
    checkWritable('--json', o.json);
    return withEngines(cmd, async (e) => {
      // the operator's tests, thresholds and minimum windows, as the server judges with
      await e.monitor.loadSettings();
      const r = await e.monitor.check(
        model,
        {
          size: o.size,
          fromMs: o.from,
          toMs: o.to,
          ...(o.reference === 'window' ? { reference: { fromMs: o.referenceFrom, toMs: o.referenceTo, size: o.referenceSize } } : {}),
        },
        false,
      );
      out(`${model} version ${r.version}: window ${r.window.n} predictions (${r.window.from ?? '-'} .. ${r.window.to ?? '-'}; ${r.window.selection ?? ''})`);
      out(`reference: ${r.reference?.description ?? `${r.referenceRows} training rows`}`);
      out(`status: ${r.statusText ?? r.status}`);
      if (o.html) save('--html', o.html, driftReportHtml(r));
      if (o.json) save('--json', o.json, `${JSON.stringify(r, null, 2)}\n`);
      if (r.status === 'collecting') return;
      const rows = r.features.map((f) => [
        f.feature,
        f.test,
        f.decidedBy === 'p_value' ? 'p-value' : 'statistic',
        f.statistic.toFixed(4),
        f.pValue === undefined ? '-' : f.pValue.toExponential(2),
        String(f.threshold),
        f.drifted ? 'DRIFT' : 'ok',
        f.datasetTest ? `${f.datasetTest.adjustedPValue.toExponential(2)}${f.datasetTest.drifted && r.rule?.kind === 'holm' ? ' *' : ''}` : '-',
        f.psi.toFixed(3),
        f.reason ?? '',
      ]);
      out(table(['feature', 'test', 'decides', 'statistic', 'p-value', 'threshold', 'drift', 'rule p (Holm)', 'PSI (context)', 'why this test'], rows));
      if (r.rule) out(`dataset drift when ${r.rule.description}`);
      const quality = r.quality ? `; accuracy on ${r.quality.n} labelled: ${r.quality.accuracy.toFixed(3)}` : '';
      out(
        `dataset drift: ${r.datasetDrift ? 'YES' : 'no'} (${(r.driftShare * 100).toFixed(0)} % of features); spam share ${r.prediction.referenceSpamShare.toFixed(3)} -> ${r.prediction.currentSpamShare.toFixed(3)}${quality}`,
      );
    });
  });
