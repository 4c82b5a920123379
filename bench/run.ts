/**
 * `npm run bench`: speed of the engines on the full 7,528-message dataset, on this machine.
 * Prints a table and writes bench/results/bench-<time>.json (plus latest.json). Medians of
 * several runs; the HTTP load comes from wrk (autocannon where wrk is missing) against a server in a child
 * process, every HTTP row in slices alternated with the ceiling's, bare Fastify loaded the same way (load.ts).
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpus, totalmem } from 'node:os';
import { appRoot } from '../src-main/config';
import { openEngines, type Engines } from '../src-main/engines';
import { parseDataset, readTrainingIds } from '../src-main/dataset';
import { buildOfflineSources, registerReleased } from '../src-main/setup';
import { Ceiling, load, type Paired } from './load';
import { definitionsForStage, FeatureStore, parseTimestamp } from '../src-main/featurestore';
import { releaseConnection } from '../src-main/featurestore/duckdb';
import { tempDir, scratchConfig, fullDatasetPath, natsSkipReason, startNats, freePort, redisSkipReason, startRedis } from '../src-main/scratch';
import { runTrainJob } from '../src-main/training';
import { forestOptions } from '../src-main/models/forest';
import { resolveParams, MODEL_SPECS } from '../src-shared/model-specs';
import { Rng } from '../src-main/models';
import { RandomForest } from '../src-main/models/forest/forest';
import { readForestArtifacts } from '../src-main/models/forest/artifacts';
import { FusedLstm } from '../src-main/models/lstm/fused-lstm';
import { readLstmArtifacts } from '../src-main/models/lstm/artifacts';
import { extractV1 } from '../src-main/features';
import { computeDrift, PredictionRecorder } from '../src-main/monitoring';
import { driftQualityRows } from './drift';
import { trainingAgainstPytorch } from './pytorch';
import { median, type Row } from './row';
import type { FeatureReference } from '../src-main/models';
import type { AppConfig } from '../src-main/config';
import type { IngestionStats } from '../src-shared/ingestion';
import { newTimeUuid } from '../src-main/platform';
import Database from 'better-sqlite3';
import { connect as netConnect } from 'node:net';
import { connect as natsConnect, headers as natsHeaders } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';

async function timeIt(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const runs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    runs.push(performance.now() - t0);
  }
  return runs;
}

export async function runBench(o: { dataset?: string; quick?: boolean; only?: 'http' | 'stream' | 'training'; anchors?: string } = {}): Promise<void> {
  const dataset = o.dataset ?? fullDatasetPath();
  if (!dataset || !existsSync(dataset))
    throw new Error('the bench runs on the full labelled dataset: pass --dataset FILE (a CSV sms_id,text,label) or set SPAMOPS_DATASET');
  const reps = o.quick ? 3 : 5;
  const rows: Row[] = [cpuProbe()];
  const t = tempDir('spamops-bench-');
  const config = scratchConfig(t.dir);
  const engines = await openEngines(config);
  try {
    const parsed = parseDataset(readFileSync(dataset, 'utf8'), dataset);
    await engines.storage.labelled.insertMany(parsed.rows);
    const idsFile = join(dataset, '..', 'training_sms_ids.txt');
    const ids = existsSync(idsFile) ? readTrainingIds(idsFile) : undefined;
    process.stderr.write(`dataset: ${parsed.rows.length} messages\n`);

    // v3 against the seed's PyTorch script in turn (issue 23's ratio; skipped with why without the anchors)
    const againstPytorch = () =>
      trainingAgainstPytorch(
        engines,
        dataset,
        parsed.rows.map((r) => r.text),
        o.anchors,
      );
    if (o.only === 'training') {
      // v3's training against PyTorch's, in turn (the anchor script beside the dataset)
      await buildOfflineSources(engines, ids);
      await engines.features.apply(definitionsForStage('2021'), '2021');
      rows.push(...(await againstPytorch()));
      return finish(rows);
    }
    if (o.only) {
      // the HTTP rows, or the stream rows, alone on the released models (no training): for working on serving
      await registerReleased(engines, { tokenizer: true, log: (x) => process.stderr.write(`${x}\n`) });
      await buildOfflineSources(engines, ids);
      await engines.features.apply(definitionsForStage('2021'), '2021');
      if (o.only === 'stream') {
        await engines.features.materialize(0, Date.now());
        rows.push(...(await streamBench(config, o.quick ? 10_000 : 20_000)));
        return finish(rows);
      }
      rows.push(...(await httpSection(engines, config.dataDir, o.quick ? 5 : 10)));
      return finish(rows);
    }

    // 1. offline sources (features v1, labels, tokenizer fit + features v2) to Parquet
    const build = await timeIt(3, () => buildOfflineSources(engines, ids));
    rows.push({
      name: 'build all offline sources (3 Parquet sources + tokenizer)',
      value: median(build),
      unit: 'ms',
      target: '< 3000 ms',
      ok: median(build) < 3000,
      runs: build,
    });
    await engines.features.apply(definitionsForStage('2021'), '2021');

    // 2. historical retrieval (DuckDB over the Parquet parts): cold (a new store: DuckDB starts)
    // and warm (its instance open; nothing else is kept between queries)
    const entity = { keys: parsed.rows.map((r) => r.sms_id), timestamps: parsed.rows.map(() => parseTimestamp('2019-05-05', 't')) };
    const cold = await timeIt(3, async () => {
      const fresh = new FeatureStore(engines.storage, config.offlineDir);
      await fresh.getHistoricalFeatures(entity, await fresh.resolveRefs({ feature_service: 'labeled_sms_1' }));
      fresh.close();
    });
    const refs = await engines.features.resolveRefs({ feature_service: 'labeled_sms_1' });
    await engines.features.getHistoricalFeatures(entity, refs);
    const warm = await timeIt(reps, () => engines.features.getHistoricalFeatures(entity, refs));
    rows.push({
      name: `historical retrieval ${entity.keys.length} rows x labeled_sms_1, cold (DuckDB starts)`,
      value: median(cold),
      unit: 'ms',
      target: '< 300 ms',
      ok: median(cold) < 300,
      runs: cold,
    });
    rows.push({
      name: `historical retrieval ${entity.keys.length} rows x labeled_sms_1, warm (DuckDB open)`,
      value: median(warm),
      unit: 'ms',
      target: '< 300 ms',
      ok: median(warm) < 300,
      runs: warm,
    });

    // 3. full materialization of every view into an empty SQLite online store
    const views = ['sms_features1', 'sms_labels', 'sms_features2'];
    const mat = await timeIt(3, async () => {
      for (const v of views) await engines.storage.online.dropView(v);
      await engines.features.materialize(0, Date.now());
    });
    rows.push({
      name: `full materialization, 3 views x ${entity.keys.length} entities into SQLite`,
      value: median(mat),
      unit: 'ms',
      target: '< 1000 ms',
      ok: median(mat) < 1000,
      runs: mat,
    });

    // 4. training on the full dataset (the fused kernel, native where it built; the forest for v1) and inference, then v3 against PyTorch
    rows.push(...(await trainingBench(engines, o.quick ? 1 : 3)));
    rows.push(...(await againstPytorch()));

    // 5. the HTTP API under load: feature server, model serving, inbox; then stream ingestion
    // (NATS JetStream) beside the POST /sms row
    const http = await httpSection(engines, config.dataDir, o.quick ? 5 : 10);
    const stream = await streamBench(config, o.quick ? 10_000 : 20_000);
    const at = http.findIndex((r) => r.name.startsWith('POST /sms '));
    http.splice(at < 0 ? http.length : at + 1, 0, ...stream);

    // 4b (after the HTTP rows: the million rows it holds slowed the load generator, which shares
    // this process, by a fifth): v1's forest at scale, on the dataset's v1 features resampled
    const forest = forestAtScale(parsed.rows, 1_000_000);
    const after = rows.findIndex((r) => r.name.startsWith('  v3 single-message'));
    rows.splice(after < 0 ? rows.length : after + 1, 0, ...forest);
    rows.push(...http);

    // 6. monitoring: drift over a 10,000-prediction window, and what recording costs a request
    rows.push(
      ...(await monitoringBench(
        engines,
        parsed.rows.map((r) => r.text),
      )),
    );
  } finally {
    await engines.close();
    t.remove();
  }
  finish(rows);
}

/** prints the table and writes the JSON */
function finish(rows: Row[]): void {
  const nameW = Math.max(...rows.map((r) => r.name.length));
  const lines = [
    `${'benchmark'.padEnd(nameW)}  ${'median'.padStart(12)}  target          ok`,
    ...rows.map(
      (r) =>
        `${r.name.padEnd(nameW)}  ${`${Number.isNaN(r.value) ? '–' : r.value.toFixed(r.value < 1 ? 4 : r.value < 10 ? 2 : 0)} ${r.unit}`.padStart(12)}  ${r.target.padEnd(14)}  ${r.ok ? 'yes' : 'NO'}${r.note ? `  (${r.note})` : ''}`,
    ),
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
  const outDir = join(appRoot(), 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const report = {
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    rows,
  };
  const file = join(outDir, `bench-${report.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2));
  writeFileSync(join(outDir, 'latest.json'), JSON.stringify(report, null, 2));
  process.stdout.write(`\nwritten: ${file}\n`);
}

/**
 * Fixed single-thread workloads, so that runs on different machines can be compared: a dependent
 * integer chain (core speed) and building + serialising 200,000 small objects (allocation, GC,
 * memory). Seen here on 2026-11-26: 140 ms and the second noted beside it.
 */
function cpuProbe(): Row {
  const core: number[] = [];
  const alloc: number[] = [];
  for (let r = 0; r < 3; r++) {
    let t0 = performance.now();
    let x = r;
    for (let i = 0; i < 1e8; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
    core.push(performance.now() - t0 + (x === 0.5 ? 1 : 0));
    t0 = performance.now();
    const objs = Array.from({ length: 200_000 }, (_, i) => ({ i, s: `m${i}`, f: [i, i / 3] }));
    JSON.parse(JSON.stringify(objs));
    alloc.push(performance.now() - t0);
  }
  return {
    name: 'machine probe: 1e8-step integer chain, one core (lower is faster)',
    value: median(core),
    unit: 'ms',
    target: 'context',
    ok: true,
    runs: core,
    note: `200k objects built + JSON round trip: ${median(alloc).toFixed(0)} ms`,
  };
}

/** node flags for the bench's servers, e.g. SPAMOPS_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/p" to profile them */
const childNodeArgs = () => (process.env.SPAMOPS_BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

/** `spamops serve` on the data dir as its own process, once it listens */
async function startServe(dataDir: string, port: number, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [...childNodeArgs(), join(appRoot(), 'bin', 'spamops.mjs'), 'serve', '--data-dir', dataDir, '--port', String(port)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
    child.once('exit', (c) => reject(new Error(`server exited with ${c}`)));
  });
  return child;
}

/** three entities of the full dataset, by feature service: the lookup every online row measures */
const ONLINE_LOOKUP = JSON.stringify({ feature_service: 'labeled_sms_2', entities: { sms_id: ['sms14050', 'sms14051', 'sms14052'] } });

/** connections of every HTTP row under load (issue 23's setting) */
const CONNECTIONS = 16;

/** a route under load in slices alternated with the ceiling's: its throughput and its p99 as ratios to the ceiling's */
function loadRows(name: string, p: Paired, throughput: { share?: number; atLeast?: number; unit?: string } = {}): Row[] {
  const { route: r, ceiling } = p;
  const unit = throughput.unit ?? 'req/s';
  const target =
    throughput.share !== undefined ? `>= ${throughput.share} x ceiling` : throughput.atLeast !== undefined ? `>= ${throughput.atLeast} ${unit}` : 'context';
  const ok = throughput.share !== undefined ? p.share >= throughput.share : throughput.atLeast !== undefined ? r.rps >= throughput.atLeast : true;
  const slices = `median of ${p.slices} slices of ${r.seconds / p.slices} s, each beside one of the ceiling's`;
  return [
    {
      name: `${name}: throughput, ${r.connections} connections`,
      value: r.rps,
      unit,
      target,
      ok,
      note: `${p.share.toFixed(2)} of the ceiling (${Math.round(ceiling.rps)} req/s in its slices); ${slices}; p50 ${r.p50.toFixed(2)} ms; ${r.total} answers (${r.tool})`,
    },
    {
      name: `${name}: p99 latency, ${r.connections} connections`,
      value: r.p99,
      unit: 'ms',
      target: '<= 2 x ceiling p99',
      ok: p.tail <= 2,
      note: `${p.tail.toFixed(1)} x the ceiling's (${ceiling.p99.toFixed(2)} ms in its slices)`,
    },
  ];
}

/** a route after a 2 s warm-up, then in slices beside the ceiling's; any non-2xx or socket error fails the bench */
async function loadRoute(ceiling: Ceiling, port: number, path: string, payload: unknown, seconds: number, fresh?: string): Promise<Paired> {
  const url = `http://127.0.0.1:${port}${path}`;
  const body = JSON.stringify(payload);
  await load({ url, body, connections: CONNECTIONS, seconds: 2, fresh });
  const p = await ceiling.pair(seconds, (s) => load({ url, body, connections: CONNECTIONS, seconds: s, fresh }));
  if (p.route.non2xx > 0 || p.route.errors > 0) throw new Error(`${path} answered ${p.route.non2xx} non-2xx and ${p.route.errors} socket errors under load`);
  return p;
}

/** p50/p99 sequential (one keep-alive connection), then throughput and p99 under load beside the ceiling */
async function onlineLookupRows(port: number, seconds: number, where: string, ceiling: Ceiling): Promise<Row[]> {
  // Latency at microsecond resolution: one keep-alive connection, requests one after another.
  const lat = await sequentialLatencies(port, '/get-online-features', ONLINE_LOOKUP, 3000);
  const r = await loadRoute(ceiling, port, '/get-online-features', JSON.parse(ONLINE_LOOKUP), seconds);
  return [
    {
      name: `POST /get-online-features, 3 entities${where}: p50 latency (sequential, 1 conn)`,
      value: lat.p50,
      unit: 'ms',
      target: '< 1 ms',
      ok: lat.p50 < 1,
      note: `${lat.n} requests, after ${SEQUENTIAL_WARM_S} s of warm-up requests`,
    },
    {
      name: `POST /get-online-features, 3 entities${where}: p99 latency (sequential, 1 conn)`,
      value: lat.p99,
      unit: 'ms',
      target: '<= 1 ms',
      ok: lat.p99 <= 1,
    },
    ...loadRows(`POST /get-online-features, 3 entities${where}`, r, { share: 0.7 }),
  ];
}

/**
 * The same lookups with the online store in a real redis-server (started here on a loopback port,
 * materialized into by `spamops materialize`, then `serve` with SPAMOPS_ONLINE_STORE); one row
 * saying skipped, with the reason, where redis-server is missing.
 */
async function redisOnlineBench(dataDir: string, seconds: number, ceiling: Ceiling): Promise<Row[]> {
  const skip = redisSkipReason();
  if (skip)
    return [{ name: 'POST /get-online-features, online store in Redis', value: Number.NaN, unit: 'ms', target: 'context', ok: true, note: `skipped: ${skip}` }];
  const redis = await startRedis();
  const env = { SPAMOPS_ONLINE_STORE: redis.url };
  try {
    const mat = spawn(
      process.execPath,
      [join(appRoot(), 'bin', 'spamops.mjs'), 'materialize', '2009-01-01T00:00:00', '2030-01-01T00:00:00', '--data-dir', dataDir],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const [code] = (await once(mat, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`spamops materialize into Redis exited with ${code}`);
    const port = await freePort();
    const child = await startServe(dataDir, port, env);
    try {
      return await onlineLookupRows(port, seconds, ' (online store in Redis)', ceiling);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  } finally {
    await redis.remove();
  }
}

/**
 * The HTTP rows: the ceiling (bare Fastify, ceiling-server.mjs) kept running and measured just
 * before each row, the API's serving routes in a `spamops serve` child, then the lookups with the
 * online store in Redis; each loaded the same way (wrk where installed: one thread, 16 connections).
 */
async function httpSection(engines: Engines, dataDir: string, seconds: number): Promise<Row[]> {
  const ceiling = await Ceiling.start(CONNECTIONS);
  try {
    const before = await ceiling.againstItself(seconds);
    const serving = await httpBench(engines, dataDir, seconds, ceiling);
    const redis = await redisOnlineBench(dataDir, seconds, ceiling);
    const after = await ceiling.againstItself(seconds);
    return [...ceilingRows(ceiling), ...selfCheckRows(before, after), ...serving, ...redis, await tickShapeRow()];
  } finally {
    await ceiling.stop();
  }
}

/**
 * What platform/tick-shape.ts keeps: `process.nextTick` with a full collection between rounds, in
 * a process of its own with one tick entry kept (as the server does) and one without.
 */
async function tickShapeRow(): Promise<Row> {
  const run = async (keep: boolean) => {
    const args = ['--expose-gc', '--import', 'tsx', join(appRoot(), 'bench', 'tick-shape.ts'), ...(keep ? ['keep'] : [])];
    const child = spawn(process.execPath, args, { cwd: appRoot(), stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`bench/tick-shape.ts exited with ${code}`);
    return JSON.parse(out) as { early: number; late: number };
  };
  const kept = await run(true);
  const lost = await run(false);
  return {
    name: 'process.nextTick after six full collections, one tick entry kept (as `spamops serve` keeps it)',
    value: kept.late,
    unit: 'ns a tick',
    target: 'context',
    ok: true,
    note: `not kept: ${lost.late.toFixed(0)} ns (${(lost.late / kept.late).toFixed(1)}x); before the collections ${kept.early.toFixed(0)} / ${lost.early.toFixed(0)} ns`,
  };
}

/** the ceiling over all its slices, with their spread */
function ceilingRows(ceiling: Ceiling): Row[] {
  const m = ceiling.summary();
  const rps = ceiling.runs.map((r) => r.rps);
  const p99 = ceiling.runs.map((r) => r.p99);
  return [
    {
      name: `ceiling: bare Fastify answering a JSON POST, throughput, ${CONNECTIONS} connections`,
      value: m.rps,
      unit: 'req/s',
      target: 'context',
      ok: true,
      note: `median of its ${rps.length} slices of ${m.seconds / rps.length} s, alternated with the rows' (${Math.round(Math.min(...rps))}-${Math.round(Math.max(...rps))} req/s); p50 ${m.p50.toFixed(2)} ms, load by ${m.tool}${m.tool === 'wrk' ? ' (1 thread)' : ' (wrk not installed: autocannon shares the cores)'}`,
    },
    {
      name: `ceiling: bare Fastify answering a JSON POST, p99 latency, ${CONNECTIONS} connections`,
      value: m.p99,
      unit: 'ms',
      target: 'context',
      ok: true,
      note: `slices: ${Math.min(...p99).toFixed(2)}-${Math.max(...p99).toFixed(2)} ms`,
    },
  ];
}

/**
 * The measure's own noise: bare Fastify in a second process measured as a row, before the rows
 * and after them. A perfect measure gives 1 and 1; a row's ratio within this distance of its
 * target is as much the machine's swing as the route's.
 */
function selfCheckRows(before: Paired, after: Paired): Row[] {
  const row = (when: string, p: Paired): Row => ({
    name: `A/A, ${when}: a second bare Fastify measured as a row, throughput (1 = no noise)`,
    value: p.share,
    unit: 'x ceiling',
    target: 'context',
    ok: true,
    note: `p99 ${p.tail.toFixed(2)} x the ceiling's; median of ${p.slices} slice pairs (${Math.round(p.route.rps)} against ${Math.round(p.ceiling.rps)} req/s)`,
  });
  return [row('before the rows', before), row('after the rows', after)];
}

/** the API's serving routes in a `spamops serve` child, each in slices alternated with the ceiling's */
async function httpBench(engines: Engines, dataDir: string, seconds: number, ceiling: Ceiling): Promise<Row[]> {
  await engines.features.materialize(0, Date.now());
  const text = 'WINNER!! You have been selected to receive a FREE prize of 1000 cash, call 09061701461 now';
  // first, in a server of its own (never two at once on the data dir): the comparison row
  const unbatched = await unbatchedV3(dataDir, text, seconds, ceiling);
  const port = await freePort();
  const child = await startServe(dataDir, port);
  try {
    const lookups = await onlineLookupRows(port, seconds, '', ceiling);
    const v3lat = await sequentialLatencies(port, '/model/v3/text_to_prediction', JSON.stringify({ text, skip_cache: true }), 2000);
    const batchesBefore = await servingBatches(port);
    const v3u = await loadRoute(ceiling, port, '/model/v3/text_to_prediction', { text, skip_cache: true }, seconds);
    const batches = await servingBatches(port);
    const v3c = await loadRoute(ceiling, port, '/model/v3/text_to_prediction', { text }, seconds);
    const v1u = await loadRoute(ceiling, port, '/model/v1/text_to_prediction', { text, skip_cache: true }, seconds);
    const v1c = await loadRoute(ceiling, port, '/model/v1/text_to_prediction', { text }, seconds);
    // real traffic: a new text each request, which misses both caches and is written to them
    const fresh = { text: `${text}, ref {{n}}` };
    const v3n = await loadRoute(ceiling, port, '/model/v3/text_to_prediction', fresh, seconds, '{{n}}');
    const v1n = await loadRoute(ceiling, port, '/model/v1/text_to_prediction', fresh, seconds, '{{n}}');
    const inboxLoad = await ceiling.pair(seconds, (s) =>
      load({
        url: `http://127.0.0.1:${port}/sms`,
        body: JSON.stringify({ recipient_id: 'bench-user', sender_id: 'bench-sender', sms_text: text }),
        connections: CONNECTIONS,
        seconds: s,
      }),
    );
    const inbox = inboxLoad.route;
    if (inbox.non2xx > 0 || inbox.errors > 0) throw new Error(`/sms answered ${inbox.non2xx} non-2xx and ${inbox.errors} socket errors under load`);
    await new Promise((r) => setTimeout(r, 1000)); // requests still in flight when the load stopped
    const stored = await engines.storage.users.listByUser('bench-user', 10_000_000);
    const online = await engines.storage.online.read(
      'sms_features2',
      stored.map((m) => m.sms_id),
    );
    const withFeatures = online.filter(Boolean).length;
    // the offline rows follow, group-committed (offline-follower.ts): every one written once
    const offlineSettle = performance.now();
    for (let pending = 1; pending > 0 && performance.now() - offlineSettle < 60_000; ) {
      const r = await fetch(`http://127.0.0.1:${port}/ingestion/stats`);
      pending = ((await r.json()) as { offline?: { pending: number } | null }).offline?.pending ?? 0;
      if (pending > 0) await new Promise((r) => setTimeout(r, 100));
    }
    const offlineSeconds = (performance.now() - offlineSettle) / 1000;
    const offlineRows = await offlineRowCounts(engines, 'smss2', new Set(stored.map((m) => m.sms_id)));
    const offlineOnce = [...offlineRows.values()].filter((n) => n === 1).length;
    const inboxRows = loadRows('POST /sms (inbox: store + v2 features online; offline group-committed behind)', inboxLoad, {
      atLeast: 3000,
      unit: 'msg/s',
    });
    // every acknowledged message stored once, with its features online, and once offline
    inboxRows[0].ok &&= withFeatures === stored.length && stored.length >= inbox.total && offlineOnce === stored.length;
    inboxRows[0].note += `; ${stored.length} stored, ${withFeatures} with online features, ${offlineOnce} once offline (${offlineSeconds.toFixed(1)} s after the load)`;
    inboxRows[1].target = '<= 20 ms';
    inboxRows[1].ok = inbox.p99 <= 20;
    const serving: Row[] = [
      { name: 'POST /model/v3/text_to_prediction uncached: p50 latency (sequential)', value: v3lat.p50, unit: 'ms', target: '<= 3 ms', ok: v3lat.p50 <= 3 },
      ...withNote(loadRows('POST /model/v3/text_to_prediction uncached', v3u, { atLeast: 5000 }), batchNote(batchesBefore, batches)),
      {
        name: 'POST /model/v3/text_to_prediction uncached, batching off (SPAMOPS_BATCH_SIZE=1): p50 latency (sequential)',
        value: unbatched.sequential.p50,
        unit: 'ms',
        target: 'context',
        ok: true,
        note: `a lone request's latency with batching on: ${v3lat.p50.toFixed(3)} ms (the row above)`,
      },
      ...loadRows('POST /model/v3/text_to_prediction uncached, batching off (SPAMOPS_BATCH_SIZE=1)', unbatched.load),
      ...loadRows('POST /model/v3/text_to_prediction cached', v3c, { share: 0.7 }),
      ...loadRows('POST /model/v1/text_to_prediction uncached', v1u, { share: 0.5 }),
      ...loadRows('POST /model/v1/text_to_prediction cached', v1c, { share: 0.7 }),
      ...withNote(loadRows('POST /model/v3/text_to_prediction, a new text each request', v3n), 'every text new: it misses both caches and is written to them'),
      ...withNote(loadRows('POST /model/v1/text_to_prediction, a new text each request', v1n), 'every text new: it misses both caches and is written to them'),
      ...inboxRows,
    ];
    return [...serving, ...lookups];
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

type BatchCounts = { calls: number; rows: number; largest: number; max_wait_ms: number; max_batch: number };

/** rows per id in a file source's parts (every row, not the point-in-time one): DuckDB over the manifest's files */
async function offlineRowCounts(engines: Engines, sourceName: string, ids: Set<string>): Promise<Map<string, number>> {
  const source = await engines.features.fileSource(sourceName);
  const dir = engines.features.offline.sourceDir(source);
  const files = (await engines.features.offline.manifest(source).read()).parts.map((p) => `'${join(dir, p.file).replace(/'/g, "''")}'`);
  const c = await engines.features.offline.engine.connection();
  try {
    const r = await c.runAndReadAll(`SELECT sms_id, count(*) AS n FROM read_parquet([${files.join(', ')}], union_by_name = true) GROUP BY sms_id`);
    const out = new Map<string, number>();
    for (const [id, n] of r.getRows()) if (ids.has(String(id))) out.set(String(id), Number(n));
    return out;
  } finally {
    await releaseConnection(c);
  }
}

/** serving's micro-batch counts so far (GET /serving/stats) */
async function servingBatches(port: number): Promise<BatchCounts> {
  const r = await fetch(`http://127.0.0.1:${port}/serving/stats`);
  const body = (await r.json()) as { batches?: BatchCounts };
  if (!body.batches) throw new Error('/serving/stats has no "batches": the server predates micro-batching');
  return body.batches;
}

/** the mean batch between two counts (the warm-up and the run) */
function batchNote(before: BatchCounts, after: BatchCounts): string {
  const calls = after.calls - before.calls;
  const rows = after.rows - before.rows;
  return `micro-batches: mean ${(rows / Math.max(1, calls)).toFixed(1)} requests per kernel call over the warm-up and the run (largest so far ${after.largest}; at most ${after.max_wait_ms} ms, ${after.max_batch} rows)`;
}

const withNote = (rows: Row[], note: string): Row[] => rows.map((r, i) => (i === 0 ? { ...r, note: `${r.note ?? ''}; ${note}` } : r));

/** v3 uncached with batching off, in a server of its own in the same sitting: the row to compare with */
async function unbatchedV3(dataDir: string, text: string, seconds: number, ceiling: Ceiling) {
  const port = await freePort();
  const child = await startServe(dataDir, port, { SPAMOPS_BATCH_SIZE: '1' });
  try {
    const sequential = await sequentialLatencies(port, '/model/v3/text_to_prediction', JSON.stringify({ text, skip_cache: true }), 2000);
    return { sequential, load: await loadRoute(ceiling, port, '/model/v3/text_to_prediction', { text, skip_cache: true }, seconds) };
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

/**
 * Warm-up before sequential latencies: both processes' JIT. Measured on a server just started,
 * lookups one after another had a p99 of 3-6 ms over their first thousand, 1-2 ms over the next
 * few thousand (the first 3 s), then 0.4-1 ms; 2 s measured part of the warm-up.
 */
const SEQUENTIAL_WARM_S = 5;

/** p50/p99 of `n` requests one after another, from a small client process of its own (sequential-client.mjs) */
async function sequentialLatencies(port: number, path: string, body: string, n: number): Promise<{ p50: number; p99: number; n: number }> {
  const child = spawn(process.execPath, [join(appRoot(), 'bench', 'sequential-client.mjs'), String(port), path, String(n), String(SEQUENTIAL_WARM_S)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin.end(body);
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`the sequential client exited with ${code} on ${path}`);
  return JSON.parse(out) as { p50: number; p99: number; n: number };
}

/**
 * Why v1 stays near 0.85 on the full dataset: the same forest trained and tested on each of the
 * two collections the dataset merges (raw_data/README: SMS ids sms10001-sms15572, YouTube
 * comments from sms15573). The nine features v1 separate SMS spam well and YouTube spam barely.
 */
async function v1ByCollection(engines: Engines, seeds: number[]): Promise<Row[]> {
  const parts = [
    { name: 'SMS collection only (5,572 messages)', pattern: '^sms1(0\\d{3}|[1-4]\\d{3}|5[0-4]\\d\\d|55[0-6]\\d|557[0-2])$' },
    { name: 'YouTube collection only (1,956 comments)', pattern: '^sms1(557[3-9]|55[89]\\d|5[6-9]\\d\\d|[6-9]\\d{3})$' },
  ];
  const rows: Row[] = [];
  for (const part of parts) {
    const accs: number[] = [];
    const f1s: number[] = [];
    let entities = 0;
    for (const seed of seeds) {
      const r = await runTrainJob(engines.training, {
        runId: `bench-v1-part-${seed}`,
        model: 'v1',
        base: 'v1',
        params: resolveParams('v1', { seed, entityIdPattern: part.pattern, split: 'random' }),
        backend: 'auto',
      });
      accs.push(r.metrics.accuracy);
      f1s.push(r.metrics.f1);
      entities = r.data.entities;
    }
    rows.push({
      name: `  v1 trained and tested on the ${part.name}`,
      value: median(accs),
      unit: '',
      target: 'context',
      ok: true,
      runs: accs,
      note: `${entities} entities; F1 spam median ${median(f1s).toFixed(3)}`,
    });
  }
  return rows;
}

/**
 * v3 with data-parallel steps on 2 threads (SPAMOPS_TRAIN_THREADS=2), seed 42: the time, and
 * the accuracy against the one-thread run of the same seed. The default is one thread per core
 * but one, so a 2-core machine trains on one unless told.
 */
async function v3OnThreads(engines: Engines, oneThreadAccuracy: number): Promise<Row> {
  {
    const t0 = performance.now();
    const r = await runTrainJob(
      { ...engines.training, lstm: { ...engines.training.lstm, threads: 2 } },
      { runId: 'bench-v3-threads', model: 'v3', base: 'v3', params: resolveParams('v3', { split: 'random' }), backend: 'auto' },
    );
    const s = (performance.now() - t0) / 1000;
    return {
      name: `  train v3 (${r.backend}), seed 42, one run`,
      value: s,
      unit: 's',
      target: '<= 45 s',
      ok: s <= 45,
      note: `accuracy ${r.metrics.accuracy.toFixed(4)} (one thread: ${oneThreadAccuracy.toFixed(4)})`,
    };
  }
}

async function trainingBench(engines: Engines, reps: number): Promise<Row[]> {
  const rows: Row[] = [];
  // v1's target is parity with scikit-learn on the same 9 features and split (issue 13): its
  // RandomForest (10 trees, depth 10) scores 0.847 +- 0.010 over seeds 0-9, the best of 20
  // settings 0.849 (scripts/reference/v1_sklearn.py); 0.90 is out of reach for these features
  const targets = {
    v1: { s: 5, acc: 0.845, label: '>= 0.845 (scikit-learn parity)' },
    v2: { s: 10, acc: 0.9, label: '>= 0.9' },
    v3: { s: 45, acc: 0.95, label: '>= 0.95' },
  } as const;
  const texts = [
    'WINNER!! You have won a FREE prize, call 09061701461 to claim your CASH now',
    'Are we still on for dinner tonight? Let me know when you leave',
  ];
  for (const model of ['v1', 'v2', 'v3'] as const) {
    // accuracy depends on the split and the initialisation: median over seeds 1-5 (fixed in
    // advance), times over the same runs; the default seed (42) is reported beside
    const times: number[] = [];
    const accs: number[] = [];
    const f1s: number[] = [];
    let last: Awaited<ReturnType<typeof runTrainJob>> | undefined;
    const seeds = reps === 1 ? [42] : [1, 2, 3, 4, 5];
    for (const seed of seeds) {
      const t0 = performance.now();
      last = await runTrainJob(engines.training, {
        runId: `bench-${model}-${seed}`,
        model,
        base: model,
        params: resolveParams(model, { seed, split: 'random' }),
        backend: 'auto',
      });
      times.push(performance.now() - t0);
      accs.push(last.metrics.accuracy);
      f1s.push(last.metrics.f1);
    }
    const seeded: Awaited<ReturnType<typeof runTrainJob>> =
      reps === 1
        ? last!
        : await runTrainJob(engines.training, {
            runId: `bench-${model}-42`,
            model,
            base: model,
            params: resolveParams(model, { split: 'random' }),
            backend: 'auto',
          });
    last = seeded;
    const m = last.metrics;
    const t = targets[model];
    const spec = MODEL_SPECS[model];
    const registered = await engines.models.register(last!.stagingDir, {
      name: model,
      base: model,
      runId: `bench-${model}`,
      kind: spec.kind,
      featureExtractor: spec.featureExtractor,
      featureService: last!.data.featureService,
      inputShape: last!.inputShape,
      labels: ['ham', 'spam'],
      metrics: m,
      params: resolveParams(model, { split: 'random' }),
      backend: last!.backend,
      data: last!.data,
    });
    await engines.models.setAlias(model, 'production', registered.version);
    rows.push({
      name: `train ${model} (${MODEL_SPECS[model].kind}, ${last!.backend}), ${last!.data.trainRows} rows, full run`,
      value: median(times) / 1000,
      unit: 's',
      target: `<= ${t.s} s`,
      ok: median(times) / 1000 <= t.s,
      runs: times.map((x) => x / 1000),
    });
    rows.push({
      name: `  ${model} held-out accuracy, median over seeds ${seeds.join(',')}`,
      value: median(accs),
      unit: '',
      target: t.label,
      ok: median(accs) >= t.acc,
      runs: accs,
      note: `F1 spam median ${median(f1s).toFixed(3)}; seed 42: accuracy ${m.accuracy.toFixed(4)}, F1 ${m.f1.toFixed(3)}, ROC AUC ${m.rocAuc.toFixed(3)}`,
    });
    if (model === 'v1') rows.push(...(await v1ByCollection(engines, seeds)));
    if (model === 'v3') rows.push(await v3OnThreads(engines, m.accuracy));
    // single-message inference after loading, text to probability
    const lat: number[] = [];
    if (model === 'v1') {
      const forest = new RandomForest(readForestArtifacts(registered.dir));
      for (let i = 0; i < 2000; i++) {
        const t0 = performance.now();
        forest.predictProba(Object.values(extractV1(texts[i % 2])));
        lat.push(performance.now() - t0);
      }
    } else {
      const a = readLstmArtifacts(registered.dir);
      const k = new FusedLstm({ ...a.shape, maxBatch: 1 });
      k.setWeights(a.weights);
      const tok = engines.tokenizers.get();
      for (let i = 0; i < 2000; i++) {
        const t0 = performance.now();
        k.predict(Int32Array.from(tok.encode(texts[i % 2])), 1);
        lat.push(performance.now() - t0);
      }
    }
    rows.push({
      name: `  ${model} single-message inference (text to probability), p50`,
      value: median(lat.slice(200)),
      unit: 'ms',
      target: 'a few ms',
      ok: median(lat.slice(200)) < 3,
    });
  }
  return rows;
}

/**
 * v1-like training rows at any count: rows of the dataset's v1 features drawn with replacement,
 * cap_r and nal_r scaled by 1 + 0.05 N(0,1) (cap_r kept <= 1; zeros stay zeros), the seven cue
 * words and the label kept. Column-major, as the forest takes them.
 */
export function syntheticV1(messages: { text: string; label: string }[], n: number, seed = 2024): { cols: Float64Array[]; y: Uint8Array } {
  const base = messages.map((m) => Object.values(extractV1(m.text)));
  const labels = messages.map((m) => (m.label === 'spam' ? 1 : 0));
  const rng = new Rng(seed);
  const cols = Array.from({ length: base[0].length }, () => new Float64Array(n));
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(rng.next() * base.length);
    for (const [j, col] of cols.entries()) {
      let v = base[k][j];
      if (j < 2 && v !== 0) v = Math.max(0, v * (1 + 0.05 * rng.normal()));
      col[i] = j === 0 ? Math.min(1, v) : v;
    }
    y[i] = labels[k];
  }
  return { cols, y };
}

/**
 * Issue 14's "v1 training at 1M <= 30 s, <= 1 GB": v1's forest (its default parameters, 10 trees
 * of depth 10) trained on n synthetic rows (syntheticV1), the training step alone timed; memory
 * as the growth of the process's RSS and of the JS heap plus typed arrays across the training,
 * the forest still alive (the data, 9 x 8 bytes a row, is there before and not counted).
 */
export function forestAtScale(messages: { text: string; label: string }[], n: number): Row[] {
  const g0 = performance.now();
  const { cols, y } = syntheticV1(messages, n);
  const genSeconds = (performance.now() - g0) / 1000;
  const p = resolveParams('v1', { split: 'random' });
  const before = process.memoryUsage();
  const t0 = performance.now();
  const forest = RandomForest.trainColumns(cols, y, 2, forestOptions(p, cols.length));
  const seconds = (performance.now() - t0) / 1000;
  const after = process.memoryUsage();
  const mb = (b: number) => Math.round(b / 2 ** 20);
  const rss = mb(after.rss - before.rss);
  const heap = mb(after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers);
  const nodes = forest.json.trees.reduce((s, t) => s + t.feature.length, 0);
  const label = `train v1's forest on ${n.toLocaleString('en')} synthetic rows (the dataset's v1 rows resampled with noise), 10 trees, depth 10`;
  return [
    {
      name: label,
      value: seconds,
      unit: 's',
      target: '<= 30 s',
      ok: seconds <= 30,
      note: `${nodes} nodes; data generated apart in ${genSeconds.toFixed(1)} s`,
    },
    {
      name: `  memory added by that training (RSS growth)`,
      value: rss,
      unit: 'MB',
      target: '<= 1024 MB',
      ok: rss <= 1024,
      note: `heap + typed arrays +${heap} MB; the ${mb(cols.length * n * 8 + n)} MB of data held before; process peak RSS ${mb(process.resourceUsage().maxRSS * 1024)} MB`,
    },
  ];
}

async function monitoringBench(engines: Engines, texts: string[]): Promise<Row[]> {
  const rows: Row[] = [];
  // drift quality (false alarms, detection, delay): a quality measure, seeded, on the full dataset
  const dataset = fullDatasetPath();
  if (dataset) rows.push(...driftQualityRows(dataset));
  const tok = engines.tokenizers.get();
  for (const model of ['v1', 'v3'] as const) {
    const v = (await engines.models.resolve(model))!;
    const reference = (JSON.parse(readFileSync(join(v.dir, 'reference.json'), 'utf8')) as { features: Record<string, FeatureReference> }).features;
    const now = Date.now();
    const records = Array.from({ length: 10_000 }, (_, i) => {
      const text = texts[i % texts.length];
      return {
        id: `b${i}`,
        at: now - i,
        model,
        version: v.version,
        endpoint: 'bench',
        features: model === 'v1' ? Object.values(extractV1(text)) : tok.encode(text),
        spam: 0.1,
        label: 'ham',
        caller: 'bench',
        oov: tok.outOfVocabularyRate(text),
      };
    });
    const times = await timeIt(7, async () => computeDrift(v, reference, records, new Map()));
    rows.push({
      name: `drift of all ${model} features, 10,000-prediction window vs reference`,
      value: median(times),
      unit: 'ms',
      target: '< 100 ms',
      ok: median(times) < 100,
      runs: times,
    });
  }
  const sink = { appendMany: async () => undefined, recent: async () => [], count: async () => 0, prune: async () => 0 };
  const rec = new PredictionRecorder(sink, { retentionDays: 30, maxRows: 1e6, flushEveryMs: 250 });
  const features = tok.encode(texts[0]);
  const n = 200_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) rec.record({ model: 'v3', version: '1', endpoint: 'bench', features, spam: 0.5, label: 'ham', caller: '127.0.0.1' });
  const per = (performance.now() - t0) / n;
  await rec.flush();
  rows.push({ name: 'recording a served prediction, added to the request', value: per, unit: 'ms', target: '< 0.1 ms', ok: per < 0.1, note: `${n} records` });
  return rows;
}

/** user + system CPU seconds of a process so far, from Linux's /proc (clock ticks of 10 ms); undefined elsewhere */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Stream ingestion (NATS JetStream, the seed's chapter 4): `spamops serve --stream` in a child on
 * the bench's data dir and a nats-server on a loopback port. Throughput: `count` messages published
 * as fast as the client goes, timed from the first publish until every one is stored with online
 * features (each stored once: stored = published). Latency: publish to features present, at a
 * steady 1,000 msg/s, every 5th message watched (its id given in SpamOps-Sms-Id, polled every 5 ms).
 */
/** NATS protocol frames (HPUB with a Nats-Msg-Id header) of messages to one subject, in one buffer */
function natsFrames(subject: string, messages: { id: string; payload: string }[]): Buffer {
  const parts: string[] = [];
  for (const m of messages) {
    const header = `NATS/1.0\r\nNats-Msg-Id: ${m.id}\r\n\r\n`;
    const h = Buffer.byteLength(header);
    parts.push(`HPUB ${subject} ${h} ${h + Buffer.byteLength(m.payload)}\r\n${header}${m.payload}\r\n`);
  }
  return Buffer.from(parts.join(''));
}

/**
 * A publisher on a bare socket (NATS's text protocol): `publish` writes frames as they are and
 * resolves once the server answered a PING sent after them (it reads a connection in order), so
 * every frame is in; an -ERR from the server rejects.
 */
async function rawNatsPublisher(url: string): Promise<{ publish(frames: Buffer): Promise<void>; close(): void }> {
  const { hostname, port } = new URL(url);
  const socket = netConnect({ host: hostname, port: Number(port) });
  let seen = '';
  let waiting: { resolve: () => void; reject: (e: Error) => void } | undefined;
  const failed = (e: Error) => {
    waiting?.reject(e);
    waiting = undefined;
  };
  socket.on('error', failed);
  socket.on('data', (d: Buffer) => {
    seen += d.toString('latin1');
    const err = /-ERR[^\r]*/.exec(seen);
    if (err) failed(new Error(`nats-server refused a published frame: ${err[0]}`));
    else if (seen.includes('PONG\r\n')) {
      seen = seen.slice(seen.indexOf('PONG\r\n') + 6);
      waiting?.resolve();
      waiting = undefined;
    }
  });
  const roundTrip = (frames?: Buffer) =>
    new Promise<void>((resolve, reject) => {
      waiting = { resolve, reject };
      if (frames) socket.write(frames);
      socket.write('PING\r\n');
    });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(`CONNECT ${JSON.stringify({ verbose: false, pedantic: false, headers: true, protocol: 1, lang: 'spamops-bench', version: '1' })}\r\n`);
  await roundTrip();
  return { publish: (frames) => roundTrip(frames), close: () => socket.destroy() };
}

/**
 * A burst's progress (one user's messages), read as a light client would: the ids stored since the
 * last look, then whether the oldest still waiting have their features online and their verdict
 * recorded. Counted over the whole burst at every look (two joins over its 10,000 rows), a look
 * took 19 ms, 30 times a burst, on the cores the server it measured needed. Features and verdicts
 * come in the change log's order, so a look stops at the first still waiting: it may count late,
 * never early (the exact joins check the totals afterwards).
 */
function burstProgress(db: Database.Database, user: string): { look(): { stored: number; featured: number; verdicts: number } } {
  const last = (table: string) => (db.prepare(`SELECT MAX(rowid) AS r FROM ${table}`).get() as { r: number | null }).r ?? 0;
  // rows as arrays [rowid, sms_id]: 20,000 of them a burst
  const newStored = db.prepare('SELECT rowid, sms_id FROM smss_by_users WHERE rowid > ? AND user_id = ? ORDER BY rowid').raw();
  const newVerdicts = db.prepare(`SELECT rowid, sms_id FROM served_predictions WHERE rowid > ? AND endpoint = 'inbox' ORDER BY rowid`).raw();
  const featured = db.prepare(`SELECT 1 FROM online_features WHERE view = 'sms_features2' AND entity_key = ?`).pluck();
  let storedAfter = last('smss_by_users');
  let verdictsAfter = last('served_predictions');
  const unfeatured: string[] = [];
  const unjudged: string[] = [];
  const judged = new Set<string>();
  const n = { stored: 0, featured: 0, verdicts: 0 };
  return {
    look() {
      for (const [r, id] of newStored.all(storedAfter, user) as [number, string][]) {
        storedAfter = r;
        n.stored += 1;
        unfeatured.push(id);
        unjudged.push(id);
      }
      for (const [r, id] of newVerdicts.all(verdictsAfter) as [number, string | null][]) {
        verdictsAfter = r;
        if (id) judged.add(id);
      }
      let f = 0;
      while (f < unfeatured.length && featured.get(unfeatured[f]) !== undefined) f += 1;
      n.featured += f;
      unfeatured.splice(0, f);
      let v = 0;
      while (v < unjudged.length && judged.delete(unjudged[v])) v += 1;
      n.verdicts += v;
      unjudged.splice(0, v);
      return { ...n };
    },
  };
}

/**
 * The stream's stages' errors at the end of the run, if any: the inbox's and the feature step's
 * failures as counted over the run with their last error, the relay's and the offline rows' error
 * only while it stands (a success clears it; the server logs each of the relay's failures).
 */
function streamErrors(s: IngestionStats): string {
  const seen = [
    ['the relay', s.change_log.last_error],
    ['the inbox', s.incoming?.last_error ? `${s.incoming.failures} failures, last: ${s.incoming.last_error}` : null],
    ['the feature step', s.features.last_error ? `${s.features.failures} failures, last: ${s.features.last_error}` : null],
    ['the offline rows', s.offline?.last_error ?? null],
  ].filter(([, e]) => e);
  return seen.length ? `; errors met: ${seen.map(([who, e]) => `${who}: ${e}`).join('; ')}` : '';
}

async function streamBench(config: AppConfig, count: number): Promise<Row[]> {
  const skip = natsSkipReason();
  const rowsIfSkipped = (note: string): Row[] => [
    {
      name: 'stream ingestion (NATS JetStream: store + v2 features + push + verdict): sustained',
      value: Number.NaN,
      unit: 'msg/s',
      target: '>= 10000 msg/s',
      ok: false,
      note,
    },
  ];
  if (skip) return rowsIfSkipped(`skipped: ${skip}`);
  if (config.storage.backend !== 'sqlite') return rowsIfSkipped('skipped: the bench counts in the SQLite file');
  const nats = await startNats();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SPAMOPS_')));
  const child = spawn(
    process.execPath,
    [...childNodeArgs(), join(appRoot(), 'bin', 'spamops.mjs'), 'serve', '--data-dir', config.dataDir, '--port', String(port), '--stream', nats.url],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env,
    },
  );
  const db = new Database(config.storage.path, { readonly: true, fileMustExist: true });
  const nc = await natsConnect({ servers: nats.url });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
      child.once('exit', (c) => reject(new Error(`server exited with ${c}`)));
    });
    const stats = async () => (await (await fetch(`${base}/ingestion/stats`)).json()) as IngestionStats;
    // the relay first publishes the change log the earlier rows left (the POST /sms bench): let it settle
    for (let t0 = Date.now(); ; ) {
      const s = await stats();
      if (s.stream?.connected && s.change_log.pending === 0 && s.features.pending === 0 && s.features.ack_pending === 0) break;
      if (Date.now() - t0 > 300_000) throw new Error(`stream bench: the backlog did not settle: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const js = jetstream(nc);
    const countFeatured = db.prepare(
      `SELECT COUNT(*) AS stored, COUNT(o.entity_key) AS featured FROM smss_by_users u
       LEFT JOIN online_features o ON o.view = 'sms_features2' AND o.entity_key = u.sms_id WHERE u.user_id = ?`,
    );
    const text = (i: number) => `stream bench ${i}: WINNER!! You have been selected to receive a FREE prize, call 09061701461 now`;
    const countVerdicts = db.prepare(
      `SELECT COUNT(*) AS n FROM served_predictions p JOIN smss_by_users u ON u.user_id = ? AND u.sms_id = p.sms_id WHERE p.endpoint = 'inbox'`,
    );

    // Throughput: published as a fast producer does, without waiting for each acknowledgement (core
    // NATS publishes into the stream's subject, with Nats-Msg-Id), by a load generator lighter than
    // the server, as wrk is for the HTTP rows: the frames are encoded before the clock starts and
    // written to nats-server's socket as they are, then one round trip (PING, PONG) says it has
    // read them all. With publishes through the client (and progress counted over the whole
    // burst), this process took 0.45 s of the shared cores per 10,000 messages, a sixth of
    // everything the burst took; now 0.17-0.25 s (an acknowledged JetStream publish: 136 µs a
    // message). What the stream received is counted from its own sequence.
    // A burst is done when every message is stored, featured online and has its verdict recorded:
    // the verdicts are computed on a helper thread and recorded in batches, behind the features,
    // and a pipeline whose verdicts fall behind does not sustain the rate its features reach.
    const burst = async (user: string, onStart?: () => void) => {
      const frames = natsFrames(
        'sms.incoming',
        Array.from({ length: count }, (_, i) => ({
          id: `bench-${user}-${i}`,
          payload: JSON.stringify({ recipient_id: user, sender_id: 'bench', sms_text: text(i) }),
        })),
      );
      const publisher = await rawNatsPublisher(nats.url);
      const progress = burstProgress(db, user);
      onStart?.();
      const t0 = performance.now();
      await publisher.publish(frames);
      publisher.close();
      const published = performance.now();
      let featured: number | undefined;
      for (;;) {
        const now = performance.now();
        const p = progress.look();
        if (featured === undefined && p.featured >= count) featured = now;
        if (process.env.SPAMOPS_BENCH_TRACE)
          console.error(`trace ${user} ${(now - t0).toFixed(0)} ms: stored ${p.stored}, featured ${p.featured}, verdicts ${p.verdicts}`);
        if ((featured !== undefined && p.verdicts >= count) || now - t0 > 600_000) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const done = performance.now();
      return { seconds: (done - t0) / 1000, publishedSeconds: (published - t0) / 1000, featuredSeconds: ((featured ?? done) - t0) / 1000 };
    };
    // Three warm-up bursts of the same size first, not measured: a sustained rate is the steady
    // state's. The first messages start the verdict helper (its thread loads its modules and the
    // kernel: about a second of CPU), and the optimising compiler works through the pipeline's
    // code for several bursts: after one warm-up burst it still took 0.19 cores during the
    // measured one (perf), and the server's CPU for the burst was 9 % higher (1.81 s against
    // 1.65 s, medians of 4 alternated runs; five warm-ups gave the same as three).
    for (let w = 0; w < 3; w++) await burst(`stream-bench-warm-${Date.now()}-${w}`);
    const user = `stream-bench-${Date.now()}`;
    const jsm = await js.jetstreamManager();
    const seq0 = (await jsm.streams.info('SMS_INCOMING')).state.last_seq;
    const cpuNow = () => ({ server: cpuSeconds(child.pid), nats: cpuSeconds(nats.pid()), self: process.cpuUsage() });
    let cpu0 = cpuNow();
    const timed = await burst(user, () => {
      cpu0 = cpuNow();
    });
    const { seconds, featuredSeconds } = timed;
    // what the stream received, read once everything was done (right after the flush, the server
    // may not have stored the last publishes yet)
    const published = (await jsm.streams.info('SMS_INCOMING')).state.last_seq - seq0;
    // where the cores went meanwhile: 10,000 msg/s on 2 cores leaves 200 µs of CPU a message for all three
    const server = (cpuSeconds(child.pid) ?? Number.NaN) - (cpu0.server ?? Number.NaN);
    const broker = (cpuSeconds(nats.pid()) ?? Number.NaN) - (cpu0.nats ?? Number.NaN);
    const used = process.cpuUsage(cpu0.self);
    const self = (used.user + used.system) / 1e6;
    const cpuNote = Number.isFinite(server + broker)
      ? `; CPU meanwhile: server ${server.toFixed(2)} s, nats-server ${broker.toFixed(2)} s, publisher and progress reads (this process) ${self.toFixed(2)} s = ${((1e6 * (server + broker + self)) / count).toFixed(0)} µs a message in all, ${cpus().length} cores`
      : '';
    await new Promise((r) => setTimeout(r, 1000)); // anything stored twice would show now
    const settled = countFeatured.get(user) as { stored: number; featured: number };
    const verdicts = (countVerdicts.get(user) as { n: number }).n;
    const rate = count / seconds;

    // latency at a steady 1,000 msg/s for 5 s: publish to features present
    const online = db.prepare(`SELECT entity_key FROM online_features WHERE view = 'sms_features2' AND entity_key = ?`);
    const watched = new Map<string, number>();
    const latencies: number[] = [];
    let publishing = true;
    const poller = (async () => {
      while (publishing || watched.size > 0) {
        const now = performance.now();
        for (const [id, at] of watched)
          if (online.get(id)) {
            latencies.push(now - at);
            watched.delete(id);
          }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const steady = 5000;
    const start = performance.now();
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < steady; i++) {
      const due = start + i; // one per millisecond
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const h = natsHeaders();
      const id = newTimeUuid();
      h.set('SpamOps-Sms-Id', id);
      if (i % 5 === 0) watched.set(id, performance.now());
      pending.push(
        js.publish('sms.incoming', JSON.stringify({ recipient_id: 'stream-bench-latency', sender_id: 'bench', sms_text: text(i) }), {
          msgID: `lat-${i}`,
          headers: h,
        }),
      );
    }
    await Promise.all(pending);
    publishing = false;
    const deadline = setTimeout(() => watched.clear(), 60_000);
    await poller;
    clearTimeout(deadline);
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
    const s = await stats();
    const note =
      `${count} published (${published} new), publishing took ${timed.publishedSeconds.toFixed(1)} s; ${settled.stored} stored, ` +
      `${settled.featured} with online features (all by ${featuredSeconds.toFixed(1)} s), v3 verdicts recorded for ${verdicts} (all by ${seconds.toFixed(1)} s); after three warm-up bursts of as many; ` +
      `redeliveries ${s.incoming?.redelivered ?? 0}, dead letters ${s.dead_letters ?? 0}${cpuNote}${streamErrors(s)}`;
    return [
      {
        name: 'stream ingestion (NATS JetStream -> inbox + v2 features + push online + verdict, offline rows behind the relay): sustained',
        value: rate,
        unit: 'msg/s',
        target: '>= 10000 msg/s',
        ok: rate >= 10_000 && settled.stored === count && settled.featured === count && verdicts === count,
        note,
      },
      {
        name: '  stream ingestion latency at 1,000 msg/s, publish -> features online: p50',
        value: q(0.5),
        unit: 'ms',
        target: 'context',
        ok: latencies.length === steady / 5,
        note: `${latencies.length} of ${steady / 5} watched messages`,
      },
      { name: '  same, p99', value: q(0.99), unit: 'ms', target: 'context', ok: latencies.length === steady / 5, note: `max ${q(1).toFixed(0)} ms` },
    ];
  } finally {
    await nc.close().catch(() => undefined);
    db.close();
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    await nats.stop();
  }
}
