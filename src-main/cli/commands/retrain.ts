/** `spamops retrain <model>`: a challenger on the training set plus feedback, promoted only if better. */
import { Command } from 'commander';
import { GROUPS } from '../groups';
import { runProgress } from '../progress';
import { decimal, out, withEngines, initRunsForTraining } from '../context';

export const retrainCommand = new Command('retrain')
  .helpGroup(GROUPS.monitoring)
  .description('train a challenger on the training set + feedback labels; promote it if it beats the champion')
  .argument('<model>', 'the model id')
  .option('--margin <x>', 'spam F1 the challenger must gain (default 0.01)', decimal('--margin', -1, 1))
  .action(async (model: string, o: { margin?: number }, cmd: Command) =>
    withEngines(cmd, async (e) => {
      await initRunsForTraining(e);
      const { run, decision } = await e.retrainer.start(model, { margin: o.margin });
      const stop = runProgress(e.runs, run.id);
      const d = await decision;
      stop();
      out(
        `${d.reason} (champion ${d.champion.version}, challenger ${d.challenger?.version ?? '-'}, ${d.heldOutRows ?? 0} held-out rows, ${d.feedbackLabels} feedback labels)`,
      );
    }),
  );
