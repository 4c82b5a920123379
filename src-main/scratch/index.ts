/**
 * Throwaway resources that the bench (shipped in the CLI: `spamops bench`) and the tests both use:
 * a temporary data dir with its configuration, the full dataset by path, and nats-server /
 * redis-server on a free loopback port. Test-only helpers (engines bootstrapped with the sample,
 * the API on a port, waiting on conditions) stay in src-main/testing/, which the shipped code
 * never imports (.dependency-cruiser.cjs: only-tests-use-testing).
 */
export { tempDir, scratchConfig, fullDatasetPath } from './data-dir';
export { accepting, freePort, findBinary, localServer, skipReason, type LocalServer, type ServerBinary } from './server-binary';
export { natsServerBinary, natsSkipReason, startNats, type NatsServer } from './nats';
export { redisServerBinary, redisSkipReason, startRedis, type RedisServer } from './redis';
