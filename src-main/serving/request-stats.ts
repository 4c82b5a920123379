/**
 * Request statistics of model serving for the console: cache hit rate and latency over time, in
 * all and per route and served version (a series each), 10-second buckets over the last hour.
 * A bucket exists only where requests came: a quiet stretch is a gap, never an interpolated value.
 */
const BUCKET_MS = 10_000;
const KEEP = 360; // one hour of 10-second buckets
const SAMPLES = 512;
/** series kept (route × version); past it, the least recently used series is dropped */
const MAX_SERIES = 64;

interface Bucket {
  t: number;
  count: number;
  max: number;
  samples: number[];
}

class Buckets {
  readonly list: Bucket[] = [];
  last = 0;

  add(ms: number, now: number): void {
    this.last = now;
    const t = now - (now % BUCKET_MS);
    let b = this.list[this.list.length - 1];
    if (!b || b.t !== t) {
      b = { t, count: 0, max: 0, samples: [] };
      this.list.push(b);
    }
    // buckets older than the hour go, whatever the traffic (a series of rare requests included)
    while (this.list.length && this.list[0].t <= t - KEEP * BUCKET_MS) this.list.shift();
    b.count++;
    b.max = Math.max(b.max, ms);
    // reservoir sample: percentiles stay cheap whatever the request rate
    if (b.samples.length < SAMPLES) b.samples.push(ms);
    else {
      const j = Math.floor(Math.random() * b.count);
      if (j < SAMPLES) b.samples[j] = ms;
    }
  }

  snapshot(since: number) {
    return this.list
      .filter((b) => b.t >= since)
      .map((b) => {
        const s = [...b.samples].sort((x, y) => x - y);
        const at = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : 0);
        return { t: new Date(b.t).toISOString(), count: b.count, p50_ms: at(0.5), p95_ms: at(0.95), p99_ms: at(0.99), max_ms: b.max };
      });
  }
}

export class ServingStats {
  private readonly all = new Buckets();
  private readonly series = new Map<string, { route: string; version: string; buckets: Buckets }>();
  hits = 0;
  misses = 0;
  total = 0;
  readonly byEndpoint: Record<string, number> = {};

  /** one served request: its route (endpoint), the version it named ("" if none) and its latency */
  record(endpoint: string, ms: number, now = Date.now(), version = ''): void {
    this.total++;
    this.byEndpoint[endpoint] = (this.byEndpoint[endpoint] ?? 0) + 1;
    this.all.add(ms, now);
    const key = `${endpoint}\u0000${version}`;
    let s = this.series.get(key);
    if (!s) {
      if (this.series.size >= MAX_SERIES) {
        const oldest = [...this.series.entries()].reduce((a, b) => (b[1].buckets.last < a[1].buckets.last ? b : a));
        this.series.delete(oldest[0]);
      }
      s = { route: endpoint, version, buckets: new Buckets() };
      this.series.set(key, s);
    }
    s.buckets.add(ms, now);
  }

  /** the last `windowMs` (default: the hour kept) */
  snapshot(o: { windowMs?: number; now?: number } = {}) {
    const now = o.now ?? Date.now();
    const since = now - Math.min(o.windowMs ?? KEEP * BUCKET_MS, KEEP * BUCKET_MS);
    const since0 = since - (since % BUCKET_MS);
    return {
      cache: { hits: this.hits, misses: this.misses, hit_rate: this.hits + this.misses ? this.hits / (this.hits + this.misses) : 0 },
      requests: { total: this.total, by_endpoint: { ...this.byEndpoint } },
      bucket_seconds: BUCKET_MS / 1000,
      window_start: new Date(since0).toISOString(),
      latency: this.all.snapshot(since0),
      series: [...this.series.values()]
        .map((s) => ({ route: s.route, version: s.version, latency: s.buckets.snapshot(since0) }))
        .filter((s) => s.latency.length > 0)
        .sort((a, b) => a.route.localeCompare(b.route) || a.version.localeCompare(b.version)),
    };
  }
}
