/**
 * HTTP load for the bench: wrk where it is installed (a C load generator light enough to find a
 * Node server's ceiling on two cores; one thread), autocannon otherwise (it shares Node's costs, so
 * its figures are lower). Every HTTP row is measured beside the ceiling: bare Fastify answering a
 * JSON POST with a fixed body (ceiling-server.mjs), loaded the same way in slices alternated with
 * the row's (Ceiling).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { appRoot } from '../src-main/config';

export interface LoadResult {
  tool: 'wrk' | 'autocannon';
  /** answered requests per second */
  rps: number;
  /** latency percentiles, ms */
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
  connections: number;
  seconds: number;
}

export interface LoadOptions {
  url: string;
  body: string;
  connections?: number;
  seconds?: number;
  /** forces the tool (default: wrk when installed) */
  tool?: 'wrk' | 'autocannon';
  /**
   * a marker in `body` replaced in each request by a token no other request of any load sent (a
   * new text each time, as real messages are: every one misses the caches)
   */
  fresh?: string;
}

let wrkPath: string | null | undefined;
/** wrk's path, or null where it is not installed */
export function wrk(): string | null {
  if (wrkPath === undefined) {
    try {
      wrkPath = execFileSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).trim() || null;
    } catch {
      wrkPath = null;
    }
  }
  return wrkPath;
}

// wrk's Lua: a JSON POST, and one JSON line with the figures at the end (latencies in microseconds)
const WRK_SCRIPT = (bodyFile: string) => `
local f = io.open(${JSON.stringify(bodyFile)}, "rb"); local body = f:read("*a"); f:close()
wrk.method = "POST"; wrk.body = body; wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\n{"requests":%d,"duration_us":%d,"p50":%f,"p99":%f,"non2xx":%d,"errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end`;

// the same, the body's marker replaced in each request by this load's tag and the request's number
const WRK_FRESH_SCRIPT = (bodyFile: string, marker: string, tag: string) => `${WRK_SCRIPT(bodyFile)}
local at = string.find(body, ${JSON.stringify(marker)}, 1, true)
local head, tail = string.sub(body, 1, at - 1), string.sub(body, at + ${marker.length})
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, head .. ${JSON.stringify(tag)} .. n .. tail)
end`;

export async function load(o: LoadOptions): Promise<LoadResult> {
  const connections = o.connections ?? 16;
  const seconds = o.seconds ?? 10;
  const tool = o.tool ?? (wrk() ? 'wrk' : 'autocannon');
  const marker = o.fresh;
  if (marker !== undefined && !o.body.includes(marker)) throw new Error(`load: the body has no ${marker} to replace`);
  const tag = `${randomBytes(4).toString('hex')}-`;
  if (tool === 'wrk') {
    const dir = mkdtempSync(join(tmpdir(), 'spamops-wrk-'));
    try {
      writeFileSync(join(dir, 'body.json'), o.body);
      writeFileSync(join(dir, 'post.lua'), marker === undefined ? WRK_SCRIPT(join(dir, 'body.json')) : WRK_FRESH_SCRIPT(join(dir, 'body.json'), marker, tag));
      const child = spawn(wrk()!, ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', join(dir, 'post.lua'), o.url], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        out += d.toString();
      });
      const [code] = (await once(child, 'exit')) as [number];
      const line = out.split('\n').find((l) => l.startsWith('{"requests"'));
      if (code !== 0 || !line) throw new Error(`wrk exited with ${code}: ${out.slice(-400)}`);
      const r = JSON.parse(line) as { requests: number; duration_us: number; p50: number; p99: number; non2xx: number; errors: number };
      return {
        tool,
        rps: r.requests / (r.duration_us / 1e6),
        p50: r.p50 / 1000,
        p99: r.p99 / 1000,
        total: r.requests,
        non2xx: r.non2xx,
        errors: r.errors,
        connections,
        seconds,
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  let n = 0;
  const at = marker === undefined ? -1 : o.body.indexOf(marker);
  const [head, tail] = marker === undefined ? [] : [o.body.slice(0, at), o.body.slice(at + marker.length)];
  const r = await autocannon({
    url: o.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: o.body,
    connections,
    duration: seconds,
    ...(marker === undefined ? {} : { requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, body: `${head}${tag}${++n}${tail}` }) }] }),
  });
  return {
    tool,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    connections,
    seconds,
  };
}

/** the ceiling server (bare Fastify) in its own process, once it listens */
export async function startCeiling(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [join(appRoot(), 'bench', 'ceiling-server.mjs'), '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /listening (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (c) => reject(new Error(`the ceiling server exited with ${c}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** a route's load in slices alternated with the ceiling's, and their ratios */
export interface Paired {
  /** the route: median throughput and percentiles of its slices, answers and errors summed */
  route: LoadResult;
  /** the ceiling's slices, summed up the same way */
  ceiling: LoadResult;
  /** medians over the slice pairs of route/ceiling: throughput and p99 */
  share: number;
  tail: number;
  slices: number;
}

/** seconds per slice: longer than a connection's start, shorter than the machine's swings */
const SLICE_SECONDS = 2;

/**
 * The ceiling, kept running through the HTTP rows, and loaded in slices that alternate with a
 * route's (ceiling, route, route, ceiling, …): a row's ratios are the medians of its slice pairs'.
 * These virtual machines swing in speed from one ten seconds to the next: bare Fastify alone,
 * loaded eight times for 8 s in a row, gave 16-28k req/s, so a ratio to one measurement taken
 * minutes before (or even just before) said as much about the swing as about the route.
 */
export class Ceiling {
  /** every slice of the ceiling so far */
  readonly runs: LoadResult[] = [];
  private constructor(
    private readonly server: { url: string; stop: () => Promise<void> },
    private readonly connections: number,
  ) {}

  static async start(connections: number): Promise<Ceiling> {
    const c = new Ceiling(await startCeiling(), connections);
    await load({ url: c.server.url, body: CEILING_BODY, connections, seconds: 2 }); // warm-up
    return c;
  }

  /**
   * `run(seconds)` loads the route (already warmed up) for that long; `seconds` in all is split
   * into slices of SLICE_SECONDS (at least three), each beside a slice of the ceiling.
   */
  async pair(seconds: number, run: (seconds: number) => Promise<LoadResult>): Promise<Paired> {
    const slices = Math.max(3, Math.round(seconds / SLICE_SECONDS));
    const route: LoadResult[] = [];
    const ceiling: LoadResult[] = [];
    const measure = async () => {
      const r = await load({ url: this.server.url, body: CEILING_BODY, connections: this.connections, seconds: SLICE_SECONDS });
      this.runs.push(r);
      ceiling.push(r);
    };
    for (let i = 0; i < slices; i++) {
      if (i % 2 === 0) await measure();
      route.push(await run(SLICE_SECONDS));
      if (i % 2 === 1) await measure();
    }
    return {
      route: summed(route),
      ceiling: summed(ceiling),
      share: median(route.map((r, i) => r.rps / ceiling[i].rps)),
      tail: median(route.map((r, i) => r.p99 / ceiling[i].p99)),
      slices,
    };
  }

  /**
   * A/A: bare Fastify in a second process, loaded as a row is (warm-up, then slices alternated
   * with the ceiling's). Its ratios would be 1 with a perfect measure; their distance from 1 is the
   * noise every row's ratios carry on this machine at this moment.
   */
  async againstItself(seconds: number): Promise<Paired> {
    const twin = await startCeiling();
    try {
      await load({ url: twin.url, body: CEILING_BODY, connections: this.connections, seconds: 2 });
      return await this.pair(seconds, (s) => load({ url: twin.url, body: CEILING_BODY, connections: this.connections, seconds: s }));
    } finally {
      await twin.stop();
    }
  }

  /** every slice of the ceiling, summed up */
  summary(): LoadResult {
    return summed(this.runs);
  }

  stop(): Promise<void> {
    return this.server.stop();
  }
}

const CEILING_BODY = JSON.stringify({ text: 'WINNER!! You have been selected to receive a FREE prize of 1000 cash, call 09061701461 now' });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** slices as one result: median throughput and percentiles, answers, errors and seconds summed */
function summed(runs: LoadResult[]): LoadResult {
  return {
    ...runs[0],
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    total: runs.reduce((n, r) => n + r.total, 0),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    seconds: runs.reduce((n, r) => n + r.seconds, 0),
  };
}
