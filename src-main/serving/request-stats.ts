/** Request statistics of model serving for the console: cache hit rate and latency over time. */
const BUCKET_MS = 10_000;
const KEEP = 360; // one hour of 10-second buckets
const SAMPLES = 512;

interface Bucket {
  t: number;
  count: number;
  max: number;
  samples: number[];
}

export class ServingStats {
  private readonly buckets: Bucket[] = [];
  hits = 0;
  misses = 0;
  total = 0;
  readonly byEndpoint: Record<string, number> = {};

  record(endpoint: string, ms: number, now = Date.now()): void {
    this.total++;
    this.byEndpoint[endpoint] = (this.byEndpoint[endpoint] ?? 0) + 1;
    const t = now - (now % BUCKET_MS);
    let b = this.buckets[this.buckets.length - 1];
    if (!b || b.t !== t) {
      b = { t, count: 0, max: 0, samples: [] };
      this.buckets.push(b);
      if (this.buckets.length > KEEP) this.buckets.shift();
    }
    b.count++;
    b.max = Math.max(b.max, ms);
    // reservoir sample: percentiles stay cheap whatever the request rate
    if (b.samples.length < SAMPLES) b.samples.push(ms);
    else {
      const j = Math.floor(Math.random() * b.count);
      if (j < SAMPLES) b.samples[j] = ms;
    }
  }

  snapshot() {
    const pct = (xs: number[], p: number) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : 0;
    };
    return {
      cache: { hits: this.hits, misses: this.misses, hit_rate: this.hits + this.misses ? this.hits / (this.hits + this.misses) : 0 },
      requests: { total: this.total, by_endpoint: { ...this.byEndpoint } },
      latency: this.buckets.map((b) => ({
        t: new Date(b.t).toISOString(),
        count: b.count,
        p50_ms: pct(b.samples, 0.5),
        p95_ms: pct(b.samples, 0.95),
        max_ms: b.max,
      })),
    };
  }
}
