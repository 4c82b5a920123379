/**
 * One of Node's `process.nextTick` queue entries kept alive for the life of the process, so that a
 * full garbage collection cannot make every later `nextTick` take V8's slow path.
 *
 * Node builds each queue entry as an object literal with computed symbol keys
 * (`{ [async_id_symbol]: id, [trigger_async_id_symbol]: trigger, callback, args }`). The entries
 * live a tick; the hidden classes ("maps") they share are held only weakly by their parent's
 * transition and by the optimized code. A mark-compact that finds no entry alive clears them; the
 * next entries get new maps, the literal's feedback turns megamorphic, and from then on every
 * entry is defined through the runtime (`Runtime_DefineKeyedOwnPropertyInLiteral`, a map
 * transition and a migration each time). A cached prediction's path takes about six ticks: in a
 * serving process whose collections had put it there, perf showed 5 % of the serving thread in
 * that path, and whether a server was in it depended on when its collections happened to run (one
 * reason v3 cached's bench row swung from 0.59 to 0.89 of the ceiling). A tick in a loop with a
 * `gc()` between rounds: 65-100 ns, then about 300 ns from the third collection on; with one entry
 * kept, 55-70 ns throughout (bench/tick-shape.ts measures both).
 *
 * The entry is caught by an async hook enabled for one `nextTick` and disabled at once (no hook
 * is left running); keeping it keeps its map and, through the map's back pointers, the whole
 * chain of maps alive.
 */
import { createHook } from 'node:async_hooks';

let kept: object | undefined;

/** keeps one `nextTick` entry for good (idempotent); returns it (tests look at its shape) */
export function keepTickShape(): object | undefined {
  if (kept !== undefined) return kept;
  const hook = createHook({
    init(_id, type, _trigger, resource) {
      if (type === 'TickObject' && kept === undefined) kept = resource;
    },
  });
  hook.enable();
  try {
    process.nextTick(noop, undefined);
  } finally {
    hook.disable();
  }
  return kept;
}

function noop(): void {}
