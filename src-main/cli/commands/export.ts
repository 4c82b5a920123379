/**
 * `spamops export --out FILE.csv`: the warehouse's labelled messages as one seed-format CSV
 * (`sms_id,text,label`, in import order), streamed: the file `bench`, `release-models` and the
 * reference scripts read, made from whatever was imported (`import --uci all`, your own files).
 * Texts a spreadsheet would run as formulas get a leading ' (platform/csv-cell); `--raw` writes
 * them as stored, for tools that read the file back (bench, release-models, the reference scripts).
 */
import { createWriteStream, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { Command } from 'commander';
import { GROUPS } from '../groups';
import { csvCell } from '../../platform';
import { CliError, note, out, withEngines } from '../context';

export const exportCommand = new Command('export')
  .helpGroup(GROUPS.data)
  .description('write the imported labelled messages to a CSV file (sms_id,text,label), whole or not at all')
  .requiredOption('--out <file.csv>', 'where to write')
  .option('--raw', "write texts as stored: no ' before a text starting with = + - @ (for tools, not spreadsheets)")
  .action(async (o: { out: string; raw?: boolean }, cmd: Command) => {
    const file = resolve(o.out);
    if (!existsSync(dirname(file))) throw new CliError(`--out: the folder ${dirname(file)} does not exist`);
    if (existsSync(file) && statSync(file).isDirectory())
      throw new CliError(`--out: ${file} is a folder; give a file name, e.g. ${join(o.out, 'messages.csv')}`);
    const cell = (s: string) => csvCell(s, { raw: o.raw });
    await withEngines(cmd, async (e) => {
      const total = await e.storage.labelled.count();
      if (total === 0) throw new CliError('no labelled messages to export: import some first (spamops import <file>, or --uci all)');
      const tmp = `${file}.${process.pid}.tmp`;
      const w = createWriteStream(tmp);
      let n = 0;
      try {
        w.write('sms_id,text,label\n');
        for await (const batch of e.storage.labelled.scan({ batchSize: 5000, ordered: true })) {
          const text = batch.map((m) => `${cell(m.sms_id)},${cell(m.text)},${cell(m.label)}`).join('\n');
          if (!w.write(`${text}\n`)) await once(w, 'drain');
          n += batch.length;
        }
        w.end();
        await once(w, 'finish');
        renameSync(tmp, file);
      } catch (err) {
        w.destroy();
        rmSync(tmp, { force: true });
        // a file system's refusal (no permission, disk full, ...) names the file, not only the code
        const code = (err as NodeJS.ErrnoException).code;
        throw code ? new CliError(`--out: cannot write ${file} (${code}): ${(err as Error).message}; nothing was written`) : err;
      }
      out(`${n} labelled messages -> ${file}`);
      if (n !== total) note(`(${total - n} were imported while exporting and are not in the file)`);
    });
  });
