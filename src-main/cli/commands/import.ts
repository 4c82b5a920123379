/** `spamops import <file>`: labelled messages into the warehouse; bad rows reported by line. */
import { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DATASET_FORMATS, parseDataset, type DatasetFormat } from '../../dataset';
import { CliError, integer, note, oneOf, out, withEngines } from '../context';

export const importCommand = new Command('import')
  .description('import labelled messages (seed CSV, UCI SMS TSV, UCI YouTube CSV); bad rows are reported by line')
  .argument('<file>', 'the dataset file')
  .option('--format <format>', `the file's format (default: told from its first line): ${DATASET_FORMATS.join(', ')}`, oneOf('--format', DATASET_FORMATS))
  .option('--id-start <n>', 'first number of the sms ids given to UCI SMS lines (default 10001)', integer('--id-start', 0, 1e12))
  .action(async (file: string, o: { format?: DatasetFormat; idStart?: number }, cmd: Command) => {
    if (!existsSync(file)) throw new CliError(`no such file: ${file}`);
    const parsed = parseDataset(readFileSync(file, 'utf8'), resolve(file), o.format, o.idStart);
    await withEngines(cmd, async (e) => {
      const r = await e.storage.labelled.insertMany(parsed.rows);
      for (const p of parsed.problems) note(`  line ${p.line}: ${p.reason}`);
      for (const d of r.duplicates.slice(0, 20)) note(`  rejected duplicate sms_id ${d}: it exists already and is not overwritten`);
      if (r.duplicates.length > 20) note(`  ... and ${r.duplicates.length - 20} more duplicates`);
      out(`imported ${r.inserted} messages (${parsed.format}); ${parsed.problems.length} bad rows skipped; ${r.duplicates.length} duplicates rejected`);
    });
  });
