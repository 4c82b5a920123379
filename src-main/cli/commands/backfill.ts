/** `spamops backfill [user...]`: the seed's push_v2_features_to_store, for inbox messages lacking v2 features. */
import { Command } from 'commander';
import { GROUPS } from '../groups';
import { out, withEngines } from '../context';

export const backfillCommand = new Command('backfill')
  .helpGroup(GROUPS.data)
  .description('push the v2 features of inbox messages that lack them (all users when none is named)')
  .argument('[user...]', 'users whose inboxes to backfill')
  .option('--all', 'push every message again, also those that have features')
  .action(async (users: string[], o: { all?: boolean }, cmd: Command) =>
    withEngines(cmd, async (e) => {
      const r = await e.backfill.run(users, { all: o.all });
      out(`pushed v2 features of ${r.pushed} messages for ${r.users} users (${r.present} had them already)`);
    }),
  );
