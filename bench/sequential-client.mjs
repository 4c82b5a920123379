// The bench's sequential latencies (bench/run.ts), measured from a process of their own: the
// bench's process holds the dataset and the engines, and its collector's pauses showed in the
// client's timings as the server's. One keep-alive connection, one request after another, after
// WARM_S seconds of warm-up requests (both processes' JIT: a server just started answers its first
// few thousand lookups with a p99 of 2-3 ms, then below 1 ms); prints one JSON line {p50, p99, n} in ms.
// usage: node sequential-client.mjs PORT PATH N WARM_S  (the body on stdin)
import http from 'node:http';

const [port, path, nArg, warmArg] = process.argv.slice(2);
const n = Number(nArg);
let body = '';
for await (const chunk of process.stdin) body += chunk;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
const once = () =>
  new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request({ host: '127.0.0.1', port: Number(port), path, method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`${path} answered ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
const warmUntil = performance.now() + Number(warmArg ?? 2) * 1000;
for (let i = 0; i < 200 || performance.now() < warmUntil; i++) await once();
const xs = [];
for (let i = 0; i < n; i++) xs.push(await once());
agent.destroy();
xs.sort((a, b) => a - b);
process.stdout.write(`${JSON.stringify({ p50: xs[Math.floor(n * 0.5)], p99: xs[Math.floor(n * 0.99)], n })}\n`);
