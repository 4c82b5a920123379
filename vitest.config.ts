import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src-main/**/*.test.ts', 'src-shared/**/*.test.ts'],
    // Timeouts from measured durations with headroom for a loaded machine (CI runs on the
    // developer's machine, where other work goes on): the slowest test without its own timeout
    // takes 18 s alone and about 4x that with two CPU-bound processes beside the suite, so 180 s;
    // tests that spawn servers and train set their own, longer ones.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // two cores: run files two at a time at most
    maxWorkers: 2,
  },
});
