/** `spamops sample <sms_id...>`: the seed's online-store sampler, both feature services per id. */
import { Command } from 'commander';
import { GROUPS } from '../groups';
import { out, withEngines } from '../context';

export const sampleCommand = new Command('sample')
  .helpGroup(GROUPS.data)
  .description('online-store sampler: both feature services per id')
  .argument('<sms_id...>', 'the ids to look up')
  .action(async (ids: string[], _o: unknown, cmd: Command) =>
    withEngines(cmd, async (e) => {
      const d = await e.features.registry.definitions();
      for (const svc of d.featureServices) {
        const r = await e.features.getOnlineFeatures({ entities: { sms_id: ids }, feature_service: svc.name });
        out(`== ${svc.name}`);
        ids.forEach((id, i) => {
          const cells = r.metadata.feature_names.slice(1).map((n, j) => {
            const res = r.results[j + 1];
            return res.statuses[i] === 'PRESENT' ? `${n}=${JSON.stringify(res.values[i])}` : `${n}:${res.statuses[i]}`;
          });
          const present = r.results.slice(1).filter((res) => res.statuses[i] === 'PRESENT').length;
          const state = present === 0 ? 'NOT FOUND' : present === r.results.length - 1 ? 'FOUND' : 'PARTIAL';
          out(`  ${id}: ${state}  ${cells.join('  ')}`);
        });
      }
    }),
  );
