/** `spamops simulate --pattern REGEX`: the seed's mock caller and labeler, through the inbox. */
import { Command, InvalidArgumentError } from 'commander';
import { GROUPS } from '../groups';
import { CliError, decimal, integer, out, withEngines } from '../context';
import { compileUserPattern } from '../../platform';

const regex = (raw: string): string => {
  try {
    compileUserPattern(raw, '--pattern');
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  return raw;
};

export const simulateCommand = new Command('simulate')
  .helpGroup(GROUPS.monitoring)
  .description('replay warehouse messages through the inbox, then label them (feedback)')
  .requiredOption('--pattern <regex>', 'the warehouse ids to replay, e.g. "^sms155"', regex)
  .option('--count <n>', 'messages to replay', integer('--count', 1, 100_000), 200)
  .option('--rate <r>', 'messages per second', decimal('--rate', 0, 10_000, { exclusiveMin: true }), 50)
  .option('--model <id>', 'the model whose verdicts are recorded (default v3, env SPAMOPS_INBOX_MODEL)')
  .action(async (o: { pattern: string; count: number; rate: number; model?: string }, cmd: Command) =>
    withEngines(cmd, async (e) => {
      if (o.model) e.verdicts.model = o.model;
      // the inbox answers once the feature step got to each message: run it here too
      await e.ingestion.start();
      const { done } = e.simulator.start({ idPattern: o.pattern, count: o.count, rate: o.rate, labelDelayMs: 1000, recipient: 'simulated', labelShare: 1 });
      const s = await done;
      if (s.status !== 'done') throw new CliError(`simulation ${s.status}: ${s.error ?? ''}`);
      out(`replayed ${s.sent} messages through the inbox (verdicts by ${e.verdicts.model}), ${s.labelled} labelled`);
    }),
  );
