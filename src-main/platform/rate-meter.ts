/** Events per second over a sliding window of whole seconds (ingestion's processed/s), plus the total. */
export class RateMeter {
  private readonly buckets: number[];
  private readonly stamps: number[];
  total = 0;

  constructor(
    private readonly windowSeconds = 10,
    private readonly now: () => number = Date.now,
  ) {
    this.buckets = new Array(windowSeconds).fill(0);
    this.stamps = new Array(windowSeconds).fill(-1);
  }

  add(n = 1): void {
    const sec = Math.floor(this.now() / 1000);
    const i = sec % this.windowSeconds;
    if (this.stamps[i] !== sec) {
      this.stamps[i] = sec;
      this.buckets[i] = 0;
    }
    this.buckets[i] += n;
    this.total += n;
  }

  /** the mean rate over the window's complete seconds (the current, partial one left out) */
  perSecond(): number {
    const sec = Math.floor(this.now() / 1000);
    let sum = 0;
    for (let i = 0; i < this.windowSeconds; i++) {
      const age = sec - this.stamps[i];
      if (age >= 1 && age < this.windowSeconds) sum += this.buckets[i];
    }
    return sum / (this.windowSeconds - 1);
  }
}
