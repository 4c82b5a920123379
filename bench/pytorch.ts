/**
 * v3's training against PyTorch, in one sitting (issue 23, target 6): the seed's PyTorch 1.13
 * script (the anchors' lstm_train.py: Keras initialisers, Adam, batch 32, 5 epochs, two torch
 * threads, OPENBLAS_NUM_THREADS=1) and our fused kernel (native and WebAssembly builds, one and
 * two threads) on the same dataset, in turn, twice. The times compared are the training loops:
 * PyTorch's `train_s`, and the sum of our epochs' seconds, which also holds each epoch's
 * validation (PyTorch's does not): the comparison leans against us.
 *
 * The anchors: `--anchors DIR`, else `anchors/` beside the dataset's folder.
 *
 * The kernel's GFLOP/s: the multiply-adds it performs in every step (forward, backward through
 * time, the weight gradients; see v3Flops for what it skips) and in the validation passes, over
 * the loop's time, beside the machine's
 * peak measured in the same sitting (the native addon's `peak`: 12 independent chains of 8-wide
 * FMAs in registers, one core; x the threads used). A clock read from /proc/cpuinfo would be
 * the nominal one: these cores boost well past it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Engines } from '../src-main/engines';
import { nativeKernel } from '../src-main/models/lstm/fused-lstm';
import { runTrainJob } from '../src-main/training';
import { resolveParams } from '../src-shared/model-specs';
import type { BackendName } from '../src-shared/training';
import { median, type Row } from './row';

/** the anchor script: in `anchors` (a folder), else in `anchors/` beside the dataset's folder */
function anchorScript(dataset: string, anchors?: string): string | undefined {
  const p = join(anchors ?? join(dirname(dataset), '..', 'anchors'), 'lstm_train.py');
  return existsSync(p) ? p : undefined;
}

function pytorchRun(script: string, dataset: string): { seconds: number; accuracy: number } | { error: string } {
  const r = spawnSync('/usr/bin/python3', [script, '--data', dataset], {
    encoding: 'utf8',
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
    timeout: 600_000,
  });
  const m = /^v3: .*train_s ([\d.]+).*test_acc ([\d.]+)/m.exec(r.stdout ?? '');
  if (!m) return { error: `${(r.stderr || r.stdout || r.error?.message || '').trim().split('\n').pop()}` };
  return { seconds: Number(m[1]), accuracy: Number(m[2]) };
}

/**
 * Multiply-adds x 2 the kernel performs for one row (a message) in a training step and in a
 * forward pass, when the row holds u distinct tokens (padding included): the input projection,
 * W's gradient and the embeddings' gradient run over the distinct (message, token) rows only,
 * and the recurrent products over the steps after the first (h_0 = 0).
 */
function v3Flops(T: number, D: number, H: number) {
  const G = 4 * H;
  const forward = (u: number) => 2 * (u * D * G + (T - 1) * H * G) + 2 * H * 2;
  const step = (u: number) => forward(u) + 2 * ((T - 1) * G * H + (T - 1) * H * G + u * D * G + u * G * D);
  return { forward, step };
}

export async function trainingAgainstPytorch(engines: Engines, dataset: string, texts: string[], anchors?: string): Promise<Row[]> {
  const script = anchorScript(dataset, anchors);
  const skip = (why: string): Row[] => [
    { name: 'v3 training against PyTorch (same sitting)', value: Number.NaN, unit: 's', target: '<= 0.5x PyTorch', ok: false, note: `not measured: ${why}` },
  ];
  if (!script) return skip('the anchors (lstm_train.py) are not beside the dataset; pass --anchors DIR');
  if (!existsSync('/usr/bin/python3')) return skip('/usr/bin/python3 is missing');

  const p = resolveParams('v3', { split: 'random' });
  const native = 'ok' in nativeKernel();
  const setups: { label: string; backend: BackendName; threads: number }[] = [
    ...(native
      ? [
          { label: 'fused-native, 1 thread', backend: 'fused-native' as const, threads: 1 },
          { label: 'fused-native, 2 threads', backend: 'fused-native' as const, threads: 2 },
        ]
      : []),
    { label: 'fused-wasm, 1 thread', backend: 'fused-wasm', threads: 1 },
  ];
  const torch: number[] = [];
  let torchAcc = Number.NaN;
  const ours = new Map<string, { s: number[]; acc: number; trainRows: number; evalRows: number }>();
  for (let round = 0; round < 2; round++) {
    const t = pytorchRun(script, dataset);
    if ('error' in t) return skip(`PyTorch did not run (${t.error}); apt-get install python3-torch python3-sklearn`);
    torch.push(t.seconds);
    torchAcc = t.accuracy;
    process.stderr.write(`PyTorch v3: ${t.seconds} s\n`);
    for (const s of setups) {
      if (round === 1 && s.backend === 'fused-wasm') continue; // the slow reference build: once
      const r = await runTrainJob(
        { ...engines.training, lstm: { ...engines.training.lstm, threads: s.threads } },
        { runId: `bench-v3-torch-${round}-${s.backend}-${s.threads}`, model: 'v3', base: 'v3', params: p, backend: s.backend },
      );
      const loop = r.history.epochs.reduce((a, e) => a + e.seconds, 0);
      process.stderr.write(`${s.label} (${r.backend}): ${loop.toFixed(2)} s\n`);
      const o = ours.get(s.label) ?? {
        s: [],
        acc: r.metrics.accuracy,
        trainRows: r.data.trainRows * p.epochs!,
        evalRows: r.data.testRows * p.epochs!,
      };
      o.s.push(loop);
      ours.set(s.label, o);
    }
  }
  const anchor = median(torch);
  const rows: Row[] = [
    {
      name: 'PyTorch 1.13 anchor: v3, 5 epochs, training loop (2 torch threads, OPENBLAS_NUM_THREADS=1)',
      value: anchor,
      unit: 's',
      target: 'anchor',
      ok: true,
      runs: torch,
      note: `accuracy ${torchAcc.toFixed(4)} (its stratified split)`,
    },
  ];
  // the peak, measured after the runs (the addon holds the probe; without it, none is given)
  const n = nativeKernel();
  const corePeak = 'ok' in n ? median([n.ok.peak(300), n.ok.peak(300), n.ok.peak(300)]) : undefined;
  const { step, forward } = v3Flops(30, p.embeddingDim!, p.lstmUnits!);
  // distinct token ids a message holds once encoded (padding 0 included), over the dataset
  const tokenizer = engines.tokenizers.get();
  const u = texts.reduce((a, t) => a + new Set(tokenizer.encode(t)).size, 0) / texts.length;
  for (const [label, o] of ours) {
    const s = median(o.s);
    const gflop = (o.trainRows * step(u) + o.evalRows * forward(u)) / 1e9;
    const threads = label.includes('2 threads') ? 2 : 1;
    const peak = corePeak ? corePeak * threads : undefined;
    rows.push({
      name: `  train v3, ${label}: training loop (validation included) against PyTorch's`,
      value: s / anchor,
      unit: 'x',
      target: '<= 0.5x',
      ok: s / anchor <= 0.5,
      runs: o.s.map((x) => x / anchor),
      note: `${s.toFixed(2)} s against ${anchor.toFixed(2)} s; ${(gflop / s).toFixed(1)} GFLOP/s performed${peak ? ` (${((100 * gflop) / s / peak).toFixed(0)} % of the measured peak of ${threads === 1 ? 'a core' : `${threads} cores`}, ${peak.toFixed(0)} GFLOP/s)` : ''}; accuracy ${o.acc.toFixed(4)}`,
    });
  }
  // accuracy unchanged: the median over seeds 1-5 (fixed in advance) of each build, one thread
  for (const backend of native ? (['fused-native', 'fused-wasm'] as const) : (['fused-wasm'] as const)) {
    const accs: number[] = [];
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = await runTrainJob(
        { ...engines.training, lstm: { ...engines.training.lstm, threads: 1 } },
        { runId: `bench-v3-acc-${backend}-${seed}`, model: 'v3', base: 'v3', params: resolveParams('v3', { seed, split: 'random' }), backend },
      );
      accs.push(r.metrics.accuracy);
    }
    rows.push({
      name: `  v3 held-out accuracy, ${backend}, median over seeds 1-5`,
      value: median(accs),
      unit: '',
      target: '>= 0.95',
      ok: median(accs) >= 0.95,
      runs: accs,
    });
  }
  return rows;
}
