/** redis-server for the online store's tests: started on a free loopback port by the shared helper in scratch/ (the bench uses it too). */
export { redisServerBinary, redisSkipReason, startRedis, type RedisServer } from '../scratch';
