/**
 * `spamops retrieve <feature-service> --entities all|FILE.csv [--at TS] --out FILE.parquet|FILE.csv`:
 * Feast's `get_historical_features(...).to_df()` as a command, straight to a file. The entity CSV
 * has a header with the join key (sms_id) and an event_timestamp column (or --at for every row).
 */
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import { GROUPS } from '../groups';
import cliProgress from 'cli-progress';
import type { EntitySpec, ExportFormat } from '../../featurestore';
import { CliError, note, out, timestampArg, withEngines } from '../context';

function outFile(raw: string): { file: string; format: ExportFormat } {
  const ext = extname(raw).toLowerCase();
  if (ext !== '.parquet' && ext !== '.csv') throw new InvalidArgumentError(`--out: expected a file ending in .parquet or .csv, got "${raw}"`);
  return { file: resolve(raw), format: ext === '.parquet' ? 'parquet' : 'csv' };
}

export const retrieveCommand = new Command('retrieve')
  .helpGroup(GROUPS.data)
  .description("point-in-time correct training data of a feature service, written to a file (Feast's get_historical_features)")
  .argument('<feature-service>', 'e.g. labeled_sms_1 or labeled_sms_2')
  .requiredOption('--entities <all|file.csv>', "all: every key the service's sources hold; or a CSV with a header naming sms_id (and event_timestamp)")
  .requiredOption('--out <file>', 'where the rows go: FILE.parquet or FILE.csv (written whole or not at all)', outFile)
  .option('--at <timestamp>', "the time of every entity row (default now for --entities all; else the CSV's event_timestamp)")
  .option('--full-feature-names', 'name columns view__feature')
  .action(
    async (service: string, o: { entities: string; out: { file: string; format: ExportFormat }; at?: string; fullFeatureNames?: boolean }, cmd: Command) => {
      const at = o.at === undefined ? undefined : timestampArg(o.at, '--at');
      let entities: EntitySpec;
      if (o.entities === 'all') entities = { kind: 'all', at: at ?? Date.now() };
      else {
        const file = resolve(o.entities);
        if (!existsSync(file) || !statSync(file).isFile()) throw new CliError(`--entities: no file ${file} (give "all" or a CSV of entity rows)`);
        entities = { kind: 'csv', file, ...(at === undefined ? {} : { at }) };
      }
      if (!existsSync(dirname(o.out.file))) throw new CliError(`--out: the folder ${dirname(o.out.file)} does not exist`);
      await withEngines(cmd, async (e) => {
        const refs = await e.features.resolveRefs({ feature_service: service });
        // written beside the target and renamed: a failed or interrupted retrieval leaves no half file
        const tmp = join(dirname(o.out.file), `.${basename(o.out.file)}.${randomBytes(4).toString('hex')}.tmp`);
        const bar = process.stderr.isTTY
          ? new cliProgress.SingleBar({ format: ' retrieve [{bar}] {percentage}% | {duration}s', hideCursor: true }, cliProgress.Presets.shades_classic)
          : undefined;
        bar?.start(100, 0);
        const t0 = performance.now();
        try {
          const r = await e.features.exportHistorical(
            entities,
            refs,
            { file: tmp, format: o.out.format },
            {
              fullFeatureNames: o.fullFeatureNames,
              onProgress: (p) => bar?.update(Math.floor(p)),
            },
          );
          bar?.update(100);
          bar?.stop();
          renameSync(tmp, o.out.file);
          const s = (performance.now() - t0) / 1000;
          out(`${r.rows} rows (${r.columns.join(', ')}) -> ${o.out.file}`);
          note(`retrieved in ${s.toFixed(2)} s (${Math.round(r.rows / Math.max(s, 1e-3))} rows/s)`);
        } catch (err) {
          bar?.stop();
          rmSync(tmp, { force: true });
          throw err;
        }
      });
    },
  );
