/** nats-server for the stream's tests: started on a free loopback port by the shared helper in scratch/ (the bench uses it too). */
export { accepting, freePort, natsServerBinary, natsSkipReason, startNats, type NatsServer } from '../scratch';
