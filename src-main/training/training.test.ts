/** Training through the run manager (worker threads), the registry and the HTTP routes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { FastifyInstance } from 'fastify';
import type { Engines } from '../engines';
import { testEngines, SAMPLE_DATASET } from '../testing/fixtures';
import { until } from '../testing/wait';
import { bootstrap } from '../setup';
import { buildApp } from '../api';
import { evaluate, rocAuc } from '../models';
import { readLstmArtifacts } from '../models/lstm/artifacts';
import { FusedLstm, nativeKernelTarget } from '../models/lstm/fused-lstm';

let engines: Engines;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ engines, cleanup } = await testEngines());
  await bootstrap(engines, { datasetPath: SAMPLE_DATASET, log: () => undefined });
  await engines.runs.init();
});
afterAll(async () => cleanup());

describe('metrics', () => {
  it('computes spam-positive metrics and ROC AUC by hand', () => {
    const m = evaluate([1, 1, 0, 0, 1], [0.9, 0.4, 0.6, 0.1, 0.8]);
    expect(m.confusion).toEqual([
      [1, 1],
      [1, 2],
    ]);
    expect(m.precision).toBeCloseTo(2 / 3);
    expect(m.recall).toBeCloseTo(2 / 3);
    expect(m.accuracy).toBeCloseTo(3 / 5);
    // pairs (pos, neg): 0.9>0.6,0.9>0.1,0.4<0.6,0.4>0.1,0.8>0.6,0.8>0.1 -> 5/6
    expect(m.rocAuc).toBeCloseTo(5 / 6);
    expect(rocAuc([1, 0], [0.5, 0.5])).toBe(0.5);
  });
});

describe('training runs', () => {
  it('trains v1 and v2 in workers, records runs and registers versions', async () => {
    const r1 = await engines.runs.start({ model: 'v1' });
    const r2 = await engines.runs.start({ model: 'v2', params: { epochs: 2 }, alias: 'production' });
    expect(r2.status).toBe('queued'); // runs queue: one at a time
    const events: string[] = [];
    engines.runs.on('event', (e) => e.runId === r2.id && events.push(e.type));
    const d1 = await engines.runs.wait(r1.id);
    const d2 = await engines.runs.wait(r2.id);
    expect(d1).toMatchObject({ status: 'succeeded', backend: 'js-forest', version: '1' });
    // auto: the native kernel where npm install built it, else the WebAssembly one
    const target = nativeKernelTarget();
    expect(d2).toMatchObject({ status: 'succeeded', backend: target ? `fused-native (${target})` : 'fused-wasm', version: '1', alias: 'production' });
    // the held-out rows are the shared evaluation set's (42 of the sample's 240), not trained on
    expect(d2.data).toMatchObject({ featureService: 'labeled_sms_2', entities: 240, trainRows: 198, testRows: 42 });
    expect(d2.data!.evaluation).toEqual({ set: 'holdout-fnv1a-20', messages: 42, trainedOn: false });
    expect(d2.data!.classBalance.ham + d2.data!.classBalance.spam).toBe(240);
    expect(d2.history.epochs).toHaveLength(2);
    expect(d2.history.batches).toHaveLength(2 * Math.ceil(198 / 32));
    expect(d2.metrics!.confusion.flat().reduce((a, b) => a + b, 0)).toBe(42);
    expect(events).toEqual(expect.arrayContaining(['status', 'data', 'batch', 'epoch', 'done']));
    // persisted through the storage layer
    const stored = await engines.storage.runs.get(r2.id);
    expect(stored?.status).toBe('succeeded');
    // registry and artifacts
    const v = await engines.models.get('v2', '1');
    expect(v.aliases).toEqual(['production']);
    for (const f of ['model.json', 'weights.bin', 'metadata.json', 'reference.json']) expect(existsSync(join(v.dir, f))).toBe(true);
    expect(JSON.parse(readFileSync(join(v.dir, 'metadata.json'), 'utf8')).labels).toEqual(['ham', 'spam']);
    expect(existsSync(join(engines.models.modelsDir, 'v1', '1', 'forest.json'))).toBe(true);
  });

  it('saves a tfjs model that tfjs loads and that predicts like the kernel', async () => {
    const v = await engines.models.get('v2', '1');
    const json = JSON.parse(readFileSync(join(v.dir, 'model.json'), 'utf8'));
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: new Uint8Array(readFileSync(join(v.dir, 'weights.bin'))).buffer,
      }),
    );
    const tokens = engines.tokenizers.get().encode('WINNER!! Claim your FREE prize cash now, call 09061701461');
    const ref = (model.predict(tf.tensor2d([tokens], [1, 30], 'int32')) as tf.Tensor).dataSync();
    const a = readLstmArtifacts(v.dir);
    const k = new FusedLstm({ ...a.shape, maxBatch: 1 });
    k.setWeights(a.weights);
    const mine = k.predict(Int32Array.from(tokens), 1);
    expect(mine[1]).toBeCloseTo(ref[1], 4);
  });

  it('repeats a run from its record with the same metrics', async () => {
    const first = engines.runs.list().find((r) => r.model === 'v2')!;
    const again = await engines.runs.wait((await engines.runs.rerun(first.id)).id);
    expect(again.rerunOf).toBe(first.id);
    expect(again.rerunData).toMatchObject({ same: true, detail: expect.stringMatching(new RegExp(`^the same [0-9,]+ rows and labels as run ${first.id}`)) });
    expect(again.metrics!.accuracy).toBe(first.metrics!.accuracy);
    expect(again.history.epochs.map((e) => e.loss)).toEqual(first.history.epochs.map((e) => e.loss));
  });

  it('cancels a running run and a queued one', async () => {
    const long = await engines.runs.start({ model: 'v3', params: { epochs: 50 } });
    const queued = await engines.runs.start({ model: 'v1' });
    await new Promise<void>((resolve) => {
      const on = (e: { type: string; runId: string }) => {
        if (e.type === 'batch' && e.runId === long.id) {
          engines.runs.off('event', on);
          resolve();
        }
      };
      engines.runs.on('event', on);
    });
    await engines.runs.cancel(queued.id);
    await engines.runs.cancel(long.id);
    expect((await engines.runs.wait(long.id)).status).toBe('cancelled');
    expect((await engines.runs.wait(queued.id)).status).toBe('cancelled');
    expect(existsSync(join(engines.models.modelsDir, '.staging', long.id))).toBe(false);
  });

  it('honours a cancel asked for after the last batch (no version registered), and refuses one after the run succeeded (409)', async () => {
    const versionsBefore = (await engines.models.list('v2')).length;
    const run = await engines.runs.start({ model: 'v2', params: { epochs: 1 } });
    // the last epoch told: the worker evaluates and saves now, and is then done
    await new Promise<void>((resolve) => {
      const on = (e: { type: string; runId: string }) => {
        if (e.type === 'epoch' && e.runId === run.id) {
          engines.runs.off('event', on);
          void engines.runs.cancel(run.id);
          resolve();
        }
      };
      engines.runs.on('event', on);
    });
    const ended = await engines.runs.wait(run.id);
    expect(ended.status).toBe('cancelled');
    expect(ended.version).toBeUndefined();
    expect((await engines.models.list('v2')).length).toBe(versionsBefore);
    expect(existsSync(join(engines.models.modelsDir, '.staging', run.id))).toBe(false);
    expect((await engines.runs.cancel(run.id)).status).toBe('cancelled'); // cancelled twice: no error
    const done = await engines.runs.wait((await engines.runs.start({ model: 'v1' })).id);
    expect(done.status).toBe('succeeded');
    await expect(engines.runs.cancel(done.id)).rejects.toThrow(
      `run ${done.id} has succeeded already (version ${done.version}): only a queued or running run can be cancelled`,
    );
  });

  it('fails with a reason a person can act on', async () => {
    const early = await engines.runs.wait((await engines.runs.start({ model: 'v2', params: { timeFreeze: '2019-01-01' } })).id);
    expect(early.status).toBe('failed');
    expect(early.error).toMatch(/no rows with features and labels at the time freeze 2019-01-01/);
    const unknown = await engines.runs.wait((await engines.runs.start({ model: 'v1', params: { entityIds: ['nope1', 'nope2'] } })).id);
    expect(unknown.error).toMatch(
      /^none of the 2 entityIds asked for has features and a label at the time freeze .*: check the ids \(the warehouse's sms_id, e\.g\. "nope1"\)/,
    );
    const oneClass = await engines.runs.wait((await engines.runs.start({ model: 'v1', params: { entityIds: ['sms90001', 'sms90002', 'sms90003'] } })).id);
    expect(oneClass.error).toMatch(/only one class/);
    const wrongBackend = await engines.runs.wait((await engines.runs.start({ model: 'v2', backend: 'tfjs-wasm' })).id);
    expect(wrongBackend.error).toMatch(/UnsortedSegmentSum/);
    // a worker that runs out of memory ends the run, not the app
    engines.runs.memoryLimitMb = 8;
    try {
      const oom = await engines.runs.wait((await engines.runs.start({ model: 'v2' })).id);
      expect(oom.status).toBe('failed');
      expect(oom.error).toMatch(/out of memory|crashed|exited/);
    } finally {
      engines.runs.memoryLimitMb = 4096;
    }
    expect((await engines.runs.wait((await engines.runs.start({ model: 'v1' })).id)).status).toBe('succeeded');
  });

  it("trains the same model with tfjs' own fit on the cpu backend (the reference path)", async () => {
    const r = await engines.runs.wait((await engines.runs.start({ model: 'v2', backend: 'tfjs-cpu', params: { epochs: 1 } })).id);
    expect(r).toMatchObject({ status: 'succeeded', backend: 'tfjs-cpu' });
    expect(r.history.epochs).toHaveLength(1);
    expect(r.metrics!.accuracy).toBeGreaterThan(0.5);
  });
});

describe('training over HTTP', () => {
  let app: FastifyInstance;
  let base: string;
  beforeAll(async () => {
    app = await buildApp(engines);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => app.close());
  const post = (path: string, body: unknown) =>
    fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('starts a run at once and streams its progress as Server-Sent Events', async () => {
    const res = await post('/runs', { model: 'v2', params: { epochs: 1, seed: 7 } });
    expect(res.status).toBe(202);
    const run = await res.json();
    const sse = await fetch(`${base}/runs/${run.id}/events`);
    expect(sse.headers.get('content-type')).toBe('text/event-stream');
    const text = await sse.text(); // the stream ends when the run does
    const types = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(types[0]).toBe('snapshot');
    expect(types).toEqual(expect.arrayContaining(['batch', 'epoch', 'done']));
    const done = JSON.parse(
      text
        .trim()
        .split('\n')
        .pop()!
        .replace(/^data: /, ''),
    );
    expect(done.record.status).toBe('succeeded');
  });

  it('answers the model-management routes of the seed', async () => {
    const list = await (await fetch(`${base}/models`)).json();
    expect(list.map((m: { id: string }) => m.id)).toEqual(['v1', 'v2', 'v3']);
    const servedV2 = list[1].served_version as string;
    expect(servedV2).toBe((await engines.models.resolve('v2'))!.version); // the production alias
    expect((await post('/models', { id: 'v1' })).status).toBe(409);
    const forced = await post('/models', { id: 'v1', force_update: 'True' });
    expect(forced.status).toBe(202);
    const body = await forced.json();
    expect(body.run_id).toMatch(/^run-/);
    await engines.runs.wait(body.run_id);
    expect((await fetch(`${base}/models/..bad`)).status).toBe(400);
    const del = await fetch(`${base}/models/v2/versions/${servedV2}`, { method: 'DELETE' });
    expect(del.status).toBe(409); // served (alias production)
    const other = servedV2 === '1' ? '2' : '1';
    expect((await post('/models/v2/aliases', { alias: 'production', version: other })).status).toBe(200);
    expect((await fetch(`${base}/models/v2/versions/${servedV2}`, { method: 'DELETE' })).status).toBe(200);
    expect((await post('/runs', { model: 'v 7!' })).status).toBe(400);
    expect((await post('/runs', { model: 'v2', params: { epochs: 0 } })).status).toBe(400);
    expect((await fetch(`${base}/runs/nope`)).status).toBe(404);
    // a service that does not exist and a time freeze that is no time: refused at once, naming the
    // field (each was queued, then failed seconds later, a failed run left in the history)
    const runsBefore = ((await (await fetch(`${base}/runs`)).json()) as unknown[]).length;
    for (const [params, field] of [
      [{ featureService: 'abc' }, 'params.featureService'],
      [{ timeFreeze: 'yesterday' }, 'params.timeFreeze'],
    ] as const) {
      const r = await post('/runs', { model: 'v1', params });
      expect(r.status, JSON.stringify(params)).toBe(400);
      expect(((await r.json()) as { field: string }).field).toBe(field);
    }
    expect(((await (await fetch(`${base}/runs`)).json()) as unknown[]).length).toBe(runsBefore);
  });

  it("keeps one generation per model name: another base, a built-in model's base, and another family's parameters are 400s naming the field", async () => {
    const first = await post('/runs', { model: 'gen-mine', base: 'v1', params: { nEstimators: 3 } });
    expect(first.status).toBe(202);
    await engines.runs.wait((await first.json()).id);
    const cases: [unknown, string, RegExp][] = [
      [{ model: 'gen-mine', base: 'v2' }, 'base', /^base: model "gen-mine" holds version 1 built as v1; a version built as v2 would serve another generation/],
      [{ model: 'gen-mine' }, 'base', /holds version 1 built as v1; a version built as v3/],
      [{ model: 'v2', base: 'v1' }, 'base', /^base: v2 is built as v2; a base names the generation of a model of your own/],
      [
        { model: 'v2', params: { nEstimators: 1000 } },
        'params.nEstimators',
        /^params\.nEstimators: a parameter of random-forest models; v2 is built as v2 \(lstm\), which takes /,
      ],
      [{ model: 'v1', params: { epochs: 3 } }, 'params.epochs', /^params\.epochs: a parameter of lstm models/],
      // a service of the other kind: refused at once (it read every row, then failed "not a token training set")
      [
        { model: 'v2', params: { featureService: 'labeled_sms_1' } },
        'params.featureService',
        /^params\.featureService: "labeled_sms_1" holds no token ids \(features v2\); v2 models \(lstm\) train on token ids: labeled_sms_2/,
      ],
      [
        { model: 'v1', params: { featureService: 'labeled_sms_2' } },
        'params.featureService',
        /^params\.featureService: "labeled_sms_2" holds token ids; v1 models \(random-forest\) train on numeric features: labeled_sms_1/,
      ],
    ];
    for (const [body, field, re] of cases) {
      const r = await post('/runs', body);
      const j = await r.json();
      expect({ body, status: r.status, field: j.field, detail: j.detail }).toEqual({ body, status: 400, field, detail: expect.stringMatching(re) });
    }
  });

  it('refuses to cancel a run that succeeded (409, naming its version)', async () => {
    const done = engines.runs.list().find((r) => r.status === 'succeeded')!;
    const late = await post(`/runs/${done.id}/cancel`, {});
    expect(late.status).toBe(409);
    expect(await late.json()).toEqual({
      error: 'conflict',
      detail: `run ${done.id} has succeeded already (version ${done.version}): only a queued or running run can be cancelled`,
    });
  });

  it('refuses to cancel a run another process trains (409), and leaves it as it is', async () => {
    // a run another live process queued (the CLI's `spamops train`), seen here through the store
    const template = engines.runs.list()[0];
    const id = `run-20990101-000000-${process.pid.toString(16).slice(-4)}`;
    await engines.storage.runs.put({ ...template, id, status: 'queued', owner: { pid: process.ppid, host: hostname() }, createdAt: new Date().toISOString() });
    engines.runs.followOthers(50);
    await until('the other process’s run to be seen', async () => engines.runs.find(id));
    const r = await post(`/runs/${id}/cancel`, {});
    expect(r.status).toBe(409);
    expect((await r.json()).detail).toMatch(
      new RegExp(`^run ${id} \\(queued\\) is trained by another process \\(pid ${process.ppid} on .+\\): cancel it there`),
    );
    expect((await engines.storage.runs.get(id))!.status).toBe('queued');
    // one whose process has stopped: said so, not "cancel it there"
    const gone = id.replace('20990101', '20990102');
    await engines.storage.runs.put({ ...template, id: gone, status: 'queued', owner: { pid: 2 ** 30, host: hostname() }, createdAt: new Date().toISOString() });
    await until('the stopped process’s run to be seen', async () => engines.runs.find(gone));
    const g = await post(`/runs/${gone}/cancel`, {});
    expect(g.status).toBe(409);
    expect((await g.json()).detail).toMatch(/belongs to a process that has stopped \(pid 1073741824 on .+\): the server's next start takes it over/);
    await engines.storage.runs.delete(id);
    await engines.storage.runs.delete(gone);
  });
});
