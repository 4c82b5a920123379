// The bench's measure of platform/tick-shape.ts: nanoseconds a `process.nextTick`, over rounds with
// a full collection between them, with one tick entry kept or not. Prints one JSON line.
// Run: node --expose-gc --import tsx bench/tick-shape.ts [keep]
import { keepTickShape } from '../src-main/platform/tick-shape';

const keep = process.argv[2] === 'keep';
if (keep) keepTickShape();
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const TICKS = 200_000;
const ROUNDS = 12;

/** ns a tick over one round: ticks one after another, half of them with an argument (as streams give one) */
function round(): Promise<number> {
  return new Promise((resolve) => {
    let left = TICKS;
    const from = process.hrtime.bigint();
    const step = (_arg?: unknown) => {
      if (--left === 0) resolve(Number(process.hrtime.bigint() - from) / TICKS);
      else if (left % 2) process.nextTick(step, left);
      else process.nextTick(step);
    };
    process.nextTick(step);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ns: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  ns.push(await round());
  gc();
}
// early: before the collections have had their effect; late: after six of them
process.stdout.write(`${JSON.stringify({ keep, early: median(ns.slice(0, 3)), late: median(ns.slice(6)) })}\n`);
