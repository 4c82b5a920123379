/**
 * `spamops export --out FILE.csv`: the warehouse's labelled messages as one seed-format CSV
 * (`sms_id,text,label`, in import order), streamed: the file `bench`, `release-models` and the
 * reference scripts read, made from whatever was imported (`import --uci all`, your own files).
 */
import { createWriteStream, existsSync, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { CliError, note, out, withEngines } from '../context';

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const exportCommand = new Command('export')
  .description('write the imported labelled messages to a CSV file (sms_id,text,label), whole or not at all')
  .requiredOption('--out <file.csv>', 'where to write')
  .action(async (o: { out: string }, cmd: Command) => {
    const file = resolve(o.out);
    if (!existsSync(dirname(file))) throw new CliError(`--out: the folder ${dirname(file)} does not exist`);
    await withEngines(cmd, async (e) => {
      const total = await e.storage.labelled.count();
      if (total === 0) throw new CliError('no labelled messages to export: import some first (spamops import <file>, or --uci all)');
      const tmp = `${file}.${process.pid}.tmp`;
      const w = createWriteStream(tmp);
      let n = 0;
      try {
        w.write('sms_id,text,label\n');
        for await (const batch of e.storage.labelled.scan({ batchSize: 5000, ordered: true })) {
          const text = batch.map((m) => `${csvField(m.sms_id)},${csvField(m.text)},${csvField(m.label)}`).join('\n');
          if (!w.write(`${text}\n`)) await once(w, 'drain');
          n += batch.length;
        }
        w.end();
        await once(w, 'finish');
        renameSync(tmp, file);
      } catch (err) {
        w.destroy();
        rmSync(tmp, { force: true });
        throw err;
      }
      out(`${n} labelled messages -> ${file}`);
      if (n !== total) note(`(${total - n} were imported while exporting and are not in the file)`);
    });
  });
