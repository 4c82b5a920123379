/**
 * Both builds of the fused LSTM kernel (native and WebAssembly) against PyTorch's nn.LSTM with
 * the same weights: probabilities, loss and every gradient (fixtures/torch-parity.json, written
 * by scripts/reference/lstm_torch.py in float64). And the two builds against each other on
 * the v3 shape, over a run of Adam steps.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appRoot } from '../../config';
import { tempDir } from '../../scratch';
import { FusedLstm, type KernelBuild, type LstmShape, type LstmWeights, nativeKernel } from './fused-lstm';
import { initLstmWeights } from './init';
import { Rng } from '../rng';

const fx = JSON.parse(readFileSync(new URL('./fixtures/torch-parity.json', import.meta.url), 'utf8')) as {
  shape: LstmShape;
  weights: Record<keyof LstmWeights, number[]>;
  tokens: number[];
  labels: number[];
  xmask: number[];
  expected: { probs: number[]; loss: number; grads: Record<keyof LstmWeights, number[]> };
};

const native = nativeKernel();
const builds: KernelBuild[] = ['wasm', 'native'];
const weights = () => Object.fromEntries(Object.entries(fx.weights).map(([k, v]) => [k, Float32Array.from(v)])) as unknown as LstmWeights;

describe.each(builds)('the %s kernel against PyTorch 1.13 (nn.LSTM, same weights)', (build) => {
  // the native build is made by npm install; where it could not be, the WebAssembly one runs
  const skip = build === 'native' && !('ok' in native) ? `native kernel not built: ${'error' in native ? native.error : ''}` : '';

  it.skipIf(skip !== '')(`gives PyTorch's probabilities to 1e-6 ${skip}`, () => {
    const k = new FusedLstm(fx.shape, build);
    k.setWeights(weights());
    const p = k.predict(Int32Array.from(fx.tokens), fx.shape.maxBatch);
    expect(p.length).toBe(fx.expected.probs.length);
    const worst = Math.max(...fx.expected.probs.map((e, i) => Math.abs(p[i] - e)));
    expect(worst).toBeLessThan(1e-6);
  });

  it.skipIf(skip !== '')(`gives PyTorch's loss and gradients of every weight to 1e-6 (with a dropout mask) ${skip}`, () => {
    const k = new FusedLstm(fx.shape, build);
    k.setWeights(weights());
    const loss = k.gradientStep(Int32Array.from(fx.tokens), Int32Array.from(fx.labels), fx.shape.maxBatch, Float32Array.from(fx.xmask));
    expect(Math.abs(loss - fx.expected.loss)).toBeLessThan(1e-6);
    const g = k.gradients();
    for (const name of Object.keys(fx.expected.grads) as (keyof LstmWeights)[]) {
      const want = fx.expected.grads[name];
      expect(g[name].length, name).toBe(want.length);
      let worst = 0;
      let at = -1;
      want.forEach((e, i) => {
        const d = Math.abs(g[name][i] - e);
        if (d > worst) [worst, at] = [d, i];
      });
      expect(worst, `${name}[${at}]: ${g[name][at]} against PyTorch's ${want[at]}`).toBeLessThan(1e-6);
      // not all zero: the case exercises every weight group
      expect(
        want.some((e) => Math.abs(e) > 1e-4),
        name,
      ).toBe(true);
    }
  });
});

describe.each(builds)('the %s kernel predicting without running through the padding', (build) => {
  const skip = build === 'native' && !('ok' in native) ? `native kernel not built: ${'error' in native ? native.error : ''}` : '';
  const shape: LstmShape = { vocab: 180, embed: 64, units: 96, classes: 2, seqLen: 30, maxBatch: 32 };
  // 32 texts of up to `longest` tokens, padded in front: with `longest` 30, texts of every length,
  // none (padding only) and the whole window among them, and a token out of the vocabulary (read
  // as 0) at the end of one
  const batch = (seed: number, longest: number) => {
    const rng = new Rng(seed);
    const tokens = new Int32Array(32 * 30);
    for (let b = 0; b < 32; b++) {
      const len = b === 0 ? 0 : b === 1 ? longest : Math.floor(rng.next() * (longest + 1));
      for (let t = 30 - len; t < 30; t++) tokens[b * 30 + t] = b === 2 && t === 29 ? 999 : Math.floor(rng.next() * 180);
    }
    return tokens;
  };
  // the training pass's forward: every step of every row (it leaves the parameters as they are)
  const fullPass = (k: FusedLstm, tokens: Int32Array) => {
    k.gradientStep(tokens, new Int32Array(32), 32);
    return Array.from(k.lastProbs(32));
  };

  it.skipIf(skip !== '')(`gives the full forward pass's probabilities bit for bit, on one thread and two ${skip}`, () => {
    for (const threads of [1, 2]) {
      const k = new FusedLstm(shape, build);
      k.setThreads(threads);
      k.setWeights(initLstmWeights(shape, 5));
      const tokens = batch(9, 30);
      const skipped = Array.from(k.predict(tokens, 32));
      expect(skipped, `${threads} thread(s)`).toEqual(fullPass(k, tokens));
      expect(new Set(skipped).size).toBeGreaterThan(32); // the rows differ: the lengths were not confused
    }
  });

  it.skipIf(skip !== '')(`keeps the padding's states only while the weights stay: set, trained, written ${skip}`, () => {
    const k = new FusedLstm(shape, build);
    k.setWeights(initLstmWeights(shape, 5));
    // long texts first (a few padding states known), then short ones (more of them computed)
    for (const tokens of [batch(1, 30), batch(2, 3)]) expect(Array.from(k.predict(tokens, 32))).toEqual(fullPass(k, tokens));
    const tokens = batch(3, 12);
    const before = Array.from(k.predict(tokens, 32));
    k.setWeights(initLstmWeights(shape, 6));
    const set = Array.from(k.predict(tokens, 32));
    expect(set).not.toEqual(before);
    expect(set).toEqual(fullPass(k, tokens));
    k.gradientStep(tokens, new Int32Array(32).fill(1), 32);
    k.adam(1e-2, 0.9, 0.999, 1e-7, 1);
    const trained = Array.from(k.predict(tokens, 32));
    expect(trained).not.toEqual(set);
    expect(trained).toEqual(fullPass(k, tokens));
    const flat = k.paramsFlat();
    flat.set(flat.map((w) => w * 0.5));
    const written = Array.from(k.predict(tokens, 32));
    expect(written).not.toEqual(trained);
    expect(written).toEqual(fullPass(k, tokens));
  });
});

describe.skipIf(!('ok' in native))('the native kernel against the WebAssembly one', () => {
  it('trains the v3 shape alike: 200 Adam steps of batches of 32, with dropout masks', () => {
    const shape: LstmShape = { vocab: 180, embed: 64, units: 96, classes: 2, seqLen: 30, maxBatch: 32 };
    const run = (build: KernelBuild) => {
      const k = new FusedLstm(shape, build);
      k.setWeights(initLstmWeights(shape, 42));
      const rng = new Rng(9);
      const losses: number[] = [];
      for (let step = 1; step <= 200; step++) {
        const tokens = Int32Array.from({ length: 32 * 30 }, (_, i) => (i % 30 < 18 ? 0 : Math.floor(rng.next() * 180)));
        const labels = Int32Array.from({ length: 32 }, (_, b) => (tokens[b * 30 + 29] % 3 === 0 ? 1 : 0));
        const xmask = Float32Array.from({ length: 32 * 64 }, () => (rng.next() < 0.2 ? 0 : 1.25));
        losses.push(k.gradientStep(tokens, labels, 32, xmask));
        k.adam(1e-3, 0.9, 0.999, 1e-7, step);
      }
      return {
        losses,
        probs: k.predict(
          Int32Array.from({ length: 32 * 30 }, (_, i) => i % 180),
          32,
        ),
      };
    };
    const a = run('wasm');
    const b = run('native');
    // FMA rounds once where WebAssembly rounds twice: the runs part in the last bits, never more
    for (let i = 0; i < a.losses.length; i++) expect(Math.abs(a.losses[i] - b.losses[i]), `step ${i + 1}`).toBeLessThan(1e-4);
    expect(a.losses[199]).toBeLessThan(a.losses[0]);
    for (let i = 0; i < a.probs.length; i++) expect(Math.abs(a.probs[i] - b.probs[i])).toBeLessThan(1e-4);
  });
});

describe.skipIf(!('ok' in native))('the native kernel on two threads', () => {
  it('gives the one-thread results bit for bit (products split by columns, gates by samples)', () => {
    const shape: LstmShape = { vocab: 180, embed: 64, units: 96, classes: 2, seqLen: 30, maxBatch: 32 };
    const run = (threads: number) => {
      const k = new FusedLstm(shape, 'native');
      expect(k.setThreads(threads)).toBe(threads);
      k.setWeights(initLstmWeights(shape, 5));
      const rng = new Rng(3);
      const losses: number[] = [];
      for (let step = 1; step <= 40; step++) {
        // a ragged batch now and then: 32 rows, or fewer
        const B = step % 7 === 0 ? 13 : 32;
        const tokens = Int32Array.from({ length: B * 30 }, (_, i) => (i % 30 < 20 ? 0 : Math.floor(rng.next() * 180)));
        const labels = Int32Array.from({ length: B }, (_, b) => (tokens[b * 30 + 29] % 2 === 0 ? 1 : 0));
        const xmask = Float32Array.from({ length: B * 64 }, () => (rng.next() < 0.2 ? 0 : 1.25));
        losses.push(k.gradientStep(tokens, labels, B, xmask));
        k.adam(1e-3, 0.9, 0.999, 1e-7, step);
      }
      const out = {
        losses,
        params: Float32Array.from(k.paramsFlat()),
        probs: k.predict(
          Int32Array.from({ length: 32 * 30 }, (_, i) => i % 180),
          32,
        ),
      };
      k.setThreads(1);
      return out;
    };
    const one = run(1);
    const two = run(2);
    expect(two.losses).toEqual(one.losses);
    expect(Buffer.from(two.params.buffer).equals(Buffer.from(one.params.buffer))).toBe(true);
    expect(Array.from(two.probs)).toEqual(Array.from(one.probs));
  });
});

describe('where npm install could not build the native kernel', () => {
  it('runs the WebAssembly one, and says why the native one is missing', () => {
    // the module and the WebAssembly kernel alone, as a checkout without the addon's build holds them
    const t = tempDir('spamops-no-native-');
    try {
      const dir = join(t.dir, 'lstm');
      mkdirSync(join(dir, 'kernel'), { recursive: true });
      writeFileSync(join(t.dir, 'package.json'), '{ "type": "module" }');
      cpSync(join(appRoot(), 'src-main/models/lstm/fused-lstm.ts'), join(dir, 'fused-lstm.ts'));
      cpSync(join(appRoot(), 'src-main/models/lstm/kernel/lstm.wasm'), join(dir, 'kernel', 'lstm.wasm'));
      const script = `
        const m = await import(${JSON.stringify(join(dir, 'fused-lstm.ts'))});
        const k = new m.FusedLstm({ vocab: 12, embed: 4, units: 4, classes: 2, seqLen: 5, maxBatch: 2 });
        const p = k.predict(new Int32Array([0, 0, 3, 4, 5, 0, 1, 2, 3, 4]), 2);
        console.log(JSON.stringify({ build: k.build, why: m.nativeKernel().error, sum: p[0] + p[1] }));
        let refused = '';
        try { new m.FusedLstm({ vocab: 12, embed: 4, units: 4, classes: 2, seqLen: 5, maxBatch: 2 }, 'native'); } catch (e) { refused = e.message; }
        console.log(refused);`;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: appRoot(), encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const [first, refused] = r.stdout.trim().split('\n');
      const out = JSON.parse(first) as { build: string; why: string; sum: number };
      expect(out.build).toBe('wasm');
      expect(out.why).toMatch(/not built/);
      expect(out.sum).toBeCloseTo(1, 6);
      expect(refused).toMatch(/^the native LSTM kernel is not available: not built .*backend fused-wasm/);
    } finally {
      t.remove();
    }
  });
});

describe.skipIf(!('ok' in native))('where the native kernel was built from older sources', () => {
  it('refuses it as a whole, says what it lacks and how to rebuild it, and runs the WebAssembly one', () => {
    // a checkout updated without npm install keeps the addon it had: this one loads the real
    // addon through Node's loader for .node files and takes sp_predict out of its instances
    const script = `
      import Module from 'node:module';
      const load = Module._extensions['.node'];
      Module._extensions['.node'] = (mod, file) => {
        load(mod, file);
        const real = mod.exports;
        mod.exports = { ...real, instance: (bytes) => { const i = real.instance(bytes); delete i.sp_predict; return i; } };
      };
      const m = await import(${JSON.stringify(join(appRoot(), 'src-main/models/lstm/fused-lstm.ts'))});
      const k = new m.FusedLstm({ vocab: 12, embed: 4, units: 4, classes: 2, seqLen: 5, maxBatch: 2 });
      const p = k.predict(new Int32Array([0, 0, 3, 4, 5, 0, 1, 2, 3, 4]), 2);
      console.log(JSON.stringify({ build: k.build, why: m.nativeKernel().error, sum: p[0] + p[1] }));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: appRoot(), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as { build: string; why: string; sum: number };
    expect(out.build).toBe('wasm');
    expect(out.why).toBe('built from older sources (it lacks sp_predict); npm install or npm run build-native rebuilds it');
    expect(out.sum).toBeCloseTo(1, 6);
  });
});
