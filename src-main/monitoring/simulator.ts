/**
 * The seed's mock caller and mock labeler, for demos and tests: replays labelled messages of
 * the warehouse through the inbox pipeline at a chosen rate, then states their true labels as
 * feedback after a delay.
 */
import { randomBytes } from 'node:crypto';
import type { LabelledMessageStore } from '../storage';
import type { FeedbackLog } from './feedback';
import { compileUserPattern } from '../platform';
import type { Simulation, SimulationRequest } from '../../src-shared/monitoring';

/** What the simulator replays (warehouse messages), through which door (the inbox), and where labels go. */
export interface SimulatorDeps {
  labelled: LabelledMessageStore;
  inbox: { ingest(recipient: string, sender: string, text: string): Promise<{ sms_id: string }> };
  feedback: Pick<FeedbackLog, 'record'>;
  recorder: { flush(): Promise<void> };
}

export class Simulator {
  private readonly runs = new Map<string, Simulation>();
  constructor(private readonly deps: SimulatorDeps) {}

  list(): Simulation[] {
    return [...this.runs.values()];
  }

  get(id: string): Simulation | undefined {
    return this.runs.get(id);
  }

  /** asks a running replay to stop after the message it is sending; undefined when there is no such replay */
  stop(id: string): Simulation | undefined {
    const sim = this.runs.get(id);
    if (sim?.status === 'running') this.stopping.add(id);
    return sim;
  }

  private readonly stopping = new Set<string>();

  /** starts the replay in the background; `done` resolves when every message is sent and labelled */
  start(req: SimulationRequest): { simulation: Simulation; done: Promise<Simulation> } {
    const sim: Simulation = {
      ...req,
      id: `sim-${randomBytes(3).toString('hex')}`,
      status: 'running',
      sent: 0,
      labelled: 0,
      startedAt: new Date().toISOString(),
    };
    this.runs.set(sim.id, sim);
    const done = this.run(sim).then(
      () => {
        sim.status = this.stopping.delete(sim.id) ? 'stopped' : 'done';
        return sim;
      },
      (e: Error) => {
        sim.status = 'failed';
        sim.error = e.message;
        return sim;
      },
    );
    return { simulation: sim, done };
  }

  private async run(sim: Simulation): Promise<void> {
    const re = compileUserPattern(sim.idPattern, 'idPattern');
    const msgs = (await this.deps.labelled.all()).filter((m) => re.test(m.sms_id)).slice(0, sim.count);
    if (msgs.length === 0) throw new Error(`no warehouse message matches ${sim.idPattern}`);
    const gap = 1000 / sim.rate;
    const labels: Promise<void>[] = [];
    const t0 = Date.now();
    for (const [i, m] of msgs.entries()) {
      if (this.stopping.has(sim.id)) break;
      const wait = t0 + i * gap - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const r = await this.deps.inbox.ingest(sim.recipient, `sim:${m.sms_id}`, m.text);
      sim.sent++;
      if ((i * 7919) % 1000 < sim.labelShare * 1000)
        labels.push(
          new Promise<void>((resolve) => setTimeout(resolve, sim.labelDelayMs)).then(async () => {
            await this.deps.feedback.record({
              caller: 'simulator',
              sms_id: r.sms_id,
              user_id: sim.recipient,
              true_label: m.label as 'ham' | 'spam',
              source_id: m.sms_id,
            });
            sim.labelled++;
          }),
        );
    }
    await Promise.all(labels);
    await this.deps.recorder.flush();
  }
}
