/** `spamops check`: verify a data dir (as `GET /check`); exit 1 when anything is found. */
import { Command } from 'commander';
import { GROUPS } from '../groups';
import { checkDataDir } from '../../setup';
import { CliError, note, out, withEngines } from '../context';

export const checkCommand = new Command('check')
  .helpGroup(GROUPS.data)
  .description(
    "verify the data dir: inbox messages' online and offline v2 features equal their text's, no sms_id held by two users, no online row missing, every Parquet part in its manifest; exit 1 when anything is found",
  )
  .option('--json', 'print the whole report as JSON')
  .action(async (o: { json?: boolean }, cmd: Command) =>
    withEngines(cmd, async (e) => {
      const r = await checkDataDir(e);
      if (o.json) out(JSON.stringify(r, null, 2));
      else {
        for (const f of r.findings) out(`${f.kind}: ${f.detail}`);
        for (const n of r.notes) note(`note: ${n}`);
        const found = Object.entries(r.counts).filter(([, n]) => n > 0);
        out(
          `checked ${r.messages} inbox messages (${r.pending} pending) in ${(r.duration_ms / 1000).toFixed(1)} s: ${
            found.length ? found.map(([k, n]) => `${n} ${k}`).join(', ') : 'nothing wrong found'
          }`,
        );
      }
      if (!r.ok)
        throw new CliError(
          'the data dir has problems (above). sms_id_held_twice: remove one of the two messages; features_differ or online_missing: `spamops backfill --all`; part_not_in_manifest: a write was cut short (removed by itself after 30 minutes); part_missing: `spamops offline-sources`; database_damaged: what its line says',
        );
    }),
  );
