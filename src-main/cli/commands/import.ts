/**
 * `spamops import <file>` or `spamops import --uci sms|youtube|all`: labelled messages into the
 * warehouse, read as a stream (any size), bad rows reported by line, existing ids never
 * overwritten. --uci downloads the public UCI archives (or takes them with --archive).
 */
import { Command } from 'commander';
import { GROUPS } from '../groups';
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import {
  archivesOf,
  DATASET_FORMATS,
  downloadArchive,
  identifyArchive,
  readArchive,
  readDatasetFile,
  sniffDataset,
  UCI_WHICH,
  urlOf,
  type DatasetFormat,
  type UciArchive,
  type UciWhich,
} from '../../dataset';
import { emptyReport, importBatches, RecordedImport, uciName, type ImportReport } from '../../setup';
import { countProgress } from '../progress';
import { CliError, integer, note, oneOf, out, withEngines } from '../context';

/** what the recorded job's steps after the read say: the CLI imports into the warehouse only, as the seed's scripts did */
const AFTER_CLI = 'not run by `spamops import`: `spamops offline-sources`, then `spamops apply` and `spamops materialize`, bring the features up to date';

/** `run` (the import) recorded as an import job: lineage and the Data pane name it; a failure is recorded, then thrown */
async function recorded(rec: RecordedImport, run: () => Promise<ImportReport>, report?: ImportReport): Promise<ImportReport> {
  let r: ImportReport;
  try {
    r = await run();
  } catch (err) {
    await rec.failed(err, report);
    throw err;
  }
  await rec.succeeded(r);
  return r;
}

function printReport(r: ImportReport, what: string): void {
  for (const p of r.problems.slice(0, 50)) note(`  line ${p.line}: ${p.reason}`);
  if (r.problemCount > 50) note(`  ... and ${r.problemCount - 50} more bad rows`);
  for (const d of r.duplicateIds) note(`  duplicate sms_id ${d}: it holds this message already`);
  if (r.duplicates > r.duplicateIds.length) note(`  ... and ${r.duplicates - r.duplicateIds.length} more duplicates`);
  for (const d of r.conflictIds) note(`  not imported: sms_id ${d} holds another message (another text or label), which is not overwritten`);
  if (r.conflicts > r.conflictIds.length) note(`  ... and ${r.conflicts - r.conflictIds.length} more ids holding other messages`);
  out(
    `imported ${r.inserted} messages (${what}: ${r.labels.ham} ham, ${r.labels.spam} spam read); ${r.problemCount} bad rows skipped; ${r.duplicates} duplicates kept as they were${r.conflicts ? `; ${r.conflicts} rows not imported: their ids hold other messages` : ''}${r.renumbered ? `; ${r.renumbered} lines numbered after the highest sms id (the ids SpamOps gives a UCI SMS file were held by other messages)` : ''}`,
  );
}

export const importCommand = new Command('import')
  .helpGroup(GROUPS.data)
  .description('import labelled messages (seed CSV, UCI SMS TSV, UCI YouTube CSV), or the public UCI collections with --uci')
  .argument('[file]', 'the dataset file (or a UCI archive, .zip)')
  .option('--format <format>', `the file's format (default: told from its first line): ${DATASET_FORMATS.join(', ')}`, oneOf('--format', DATASET_FORMATS))
  .option('--id-start <n>', 'first number of the sms ids given to UCI SMS lines (default 10001)', integer('--id-start', 0, 1e12))
  .option(
    '--uci <which>',
    `the public UCI collections: ${UCI_WHICH.join(', ')} (downloaded; SPAMOPS_UCI_MIRROR names a folder URL holding the archives)`,
    oneOf('--uci', UCI_WHICH),
  )
  .option('--archive <file.zip>', 'with --uci: an archive downloaded by hand instead of downloading (repeatable)', (v: string, prev: string[] = []) => [
    ...prev,
    v,
  ])
  .action(async (file: string | undefined, o: { format?: DatasetFormat; idStart?: number; uci?: UciWhich; archive?: string[] }, cmd: Command) => {
    if (!file && !o.uci) throw new CliError('missing <file>: the dataset to import (or --uci sms|youtube|all for the public collections)');
    if (file && o.uci) throw new CliError('give either <file> or --uci, not both');
    if (o.archive && !o.uci) throw new CliError('--archive goes with --uci');
    if (file && existsSync(file) && statSync(file).isFile() && sniffDataset(file)?.kind === 'archive') {
      // a UCI archive given as the file (as the console's Data pane takes it): which one, from its files
      o = { ...o, uci: (await identifyArchive(file)).key, archive: [file] };
      file = undefined;
    }
    if (file) {
      if (!existsSync(file)) throw new CliError(`no such file: ${file}`);
      if (statSync(file).isDirectory()) throw new CliError(`${file} is a directory: give a dataset file (CSV, TSV, the UCI collection or a zip)`);
      const size = statSync(file).size;
      await withEngines(cmd, async (e) => {
        const name = file.split('/').pop() ?? file;
        const sniffed = sniffDataset(file);
        const format = o.format ?? (sniffed?.kind === 'file' ? sniffed.format : undefined);
        const rec = await RecordedImport.begin(
          e,
          { kind: 'file', name, ...(format ? { format } : {}) },
          { via: 'spamops import', first: { key: 'upload', detail: `${resolve(file)}, ${(size / 1024).toFixed(1)} KB` }, after: AFTER_CLI },
        );
        const bar = countProgress(`reading ${name}`, 'bytes');
        const r = await recorded(rec, () =>
          importBatches(e, readDatasetFile(resolve(file), { origin: basename(file), format: o.format, idStart: o.idStart }), {
            file,
            onBatch: (rep, bytes) => {
              bar.update(bytes, size, `${rep.read.toLocaleString('en-US')} messages`);
              rec.progress(rep);
            },
          }),
        ).finally(() => bar.stop());
        note(`  recorded as import ${rec.id}`);
        printReport(r, o.format ?? 'format told from the first line');
      });
      return;
    }
    await withEngines(cmd, async (e) => {
      const wanted = archivesOf(o.uci!);
      const mirror = e.config.uciMirror;
      // archives given by hand: which collection each holds is read from its files
      const given = new Map<string, string>();
      for (const a of o.archive ?? []) {
        if (!existsSync(a)) throw new CliError(`no such archive: ${a}`);
        given.set((await identifyArchive(a)).key, resolve(a));
      }
      const paths: [UciArchive, string][] = [];
      for (const a of wanted) {
        let path = given.get(a.key);
        if (!path) {
          if (o.archive?.length)
            throw new CliError(`--archive: none of the archives given is the ${a.title} (${a.file}); download it from ${urlOf(a, mirror)}`);
          const bar = countProgress(`downloading ${a.file}`, 'bytes');
          path = await downloadArchive(a, join(e.config.dataDir, 'downloads'), { mirror, onProgress: (d, t) => bar.update(d, t) });
          bar.stop();
        }
        paths.push([a, path]);
      }
      const report = emptyReport();
      const which = o.uci!;
      const rec = await RecordedImport.begin(
        e,
        { kind: 'uci', name: uciName(which), which },
        { via: 'spamops import', first: { key: 'download', detail: paths.map(([, p]) => p).join(' and ') }, after: AFTER_CLI },
      );
      await recorded(
        rec,
        async () => {
          for (const [a, path] of paths) {
            const bar = countProgress(`importing ${a.key}`, 'rows');
            const before = report.read;
            await importBatches(e, readArchive(path, a), {
              file: a.file,
              report,
              onBatch: (r) => {
                bar.update(r.read - before, a.expectedRows);
                rec.progress(r);
              },
            }).finally(() => bar.stop());
            const read = report.read - before;
            const files = a.entries.map((f) => `${f} ${report.files[f] ?? 0}`).join(', ');
            note(`  ${a.title}: ${read} messages read (UCI's archive holds ${a.expectedRows}): ${files}`);
          }
          return report;
        },
        report,
      );
      note(`  recorded as import ${rec.id}`);
      printReport(report, wanted.map((a) => a.title).join(' + '));
    });
  });
