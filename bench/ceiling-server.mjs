// The ceiling of the HTTP rows (issue 23): bare Fastify, as the API builds it (no logger), answering
// a JSON POST by parsing its body and sending a fixed JSON body of the size of a prediction.
// Run as its own process by bench/load.ts; prints "listening <port>".
import Fastify from 'fastify';

const ANSWER = { 'model-name': 'v3', 'model-version': 1, label: 'spam', probability: 0.9931, prediction: { ham: 0.0069, spam: 0.9931 }, cached: false };
const app = Fastify({ logger: false });
app.post('/', async (req) => {
  if (typeof req.body !== 'object') throw new Error('expected a JSON body');
  return ANSWER;
});
await app.listen({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0) });
process.stdout.write(`listening ${app.server.address().port}\n`);
