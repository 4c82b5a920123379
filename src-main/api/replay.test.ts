/** The replay (simulator) started, watched and stopped over real HTTP, as the Drift pane does. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleServer } from '../testing/fixtures';
import { until } from '../testing/wait';

let base: string;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ base, close } = await sampleServer({ train: false }));
});
afterAll(async () => close());

const post = async (path: string, body: unknown) => {
  const r = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
};

describe('a replay from the console', () => {
  it('stops after the message it is sending when asked, and says so', async () => {
    const started = await post('/monitoring/simulate', { idPattern: '^sms', count: 200, rate: 2, labelDelayMs: 0 });
    expect(started.status).toBe(202);
    const id = started.body.id as string;
    const list = async () => (await (await fetch(`${base}/monitoring/simulations`)).json()) as { id: string; status: string; sent: number }[];
    await until('the replay sent a message', async () => ((await list()).find((s) => s.id === id)?.sent ?? 0) >= 1);
    const stopped = await post(`/monitoring/simulations/${id}/stop`, {});
    expect(stopped.status).toBe(200);
    await until('the replay stopped', async () => (await list()).find((s) => s.id === id)?.status === 'stopped');
    const s = (await list()).find((x) => x.id === id)!;
    expect(s.sent).toBeGreaterThan(0);
    expect(s.sent).toBeLessThan(200);
    const missing = await post('/monitoring/simulations/sim-nope/stop', {});
    expect(missing.status).toBe(404);
    expect(missing.body.known).toContain(id);
  });
});
