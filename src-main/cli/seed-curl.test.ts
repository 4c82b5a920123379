/**
 * The seed story's curl commands, as written there, against `spamops serve --compat-ports`
 * (8000 model serving, 8111 user data, 8222 inbox, 6566 feature server, 8999 proxy).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { appRoot } from '../config';
import { tempDir } from '../testing/fixtures';

const bin = join(appRoot(), 'bin', 'spamops.mjs');
const t = tempDir('spamops-seed-');
const hasCurl = spawnSync('curl', ['--version']).status === 0;
const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SPAMOPS_') && !k.startsWith('CASSANDRA_')));
let server: ChildProcess | undefined;

const FEATURES_V2 = `[0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,
                    0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,
                    0.0,0.0,0.0,0.0,0.0,1.0,20.0,4.0]`;

/** the commands of seed 001, `| jq` left off (the output is parsed here) */
const COMMANDS: string[] = [
  `curl -XPOST http://localhost:8000/model/v1/text_to_features -H 'Content-Type: application/json' -d '{"text": "I have a dream"}'`,
  `curl -XPOST http://localhost:8000/model/v1/features_to_prediction -H 'Content-Type: application/json' -d '{"features": [0.09090909090909091,0.0,0,0,0,0,0,0,0]}'`,
  `curl -XPOST http://localhost:8000/model/v1/text_to_prediction -H 'Content-Type: application/json' -d '{"text": "I have a dream"}'`,
  `curl localhost:8000/model/v1/recent_call_log`,
  `curl http://localhost:8111/sms/max`,
  `curl http://localhost:8111/sms/fiona/32e14000-8400-11e9-aeb7-d19b11ef0c7e`,
  ...['v2', 'v3'].flatMap((v) => [
    `curl -XPOST http://localhost:8000/model/${v}/text_to_features -H 'Content-Type: application/json' -d '{"text": "I have a dream"}'`,
    `curl -XPOST http://localhost:8000/model/${v}/features_to_prediction -H 'Content-Type: application/json' -d '{"features": ${FEATURES_V2}}'`,
    `curl -XPOST http://localhost:8000/model/${v}/text_to_prediction -H 'Content-Type: application/json' -d '{"text": "I have a dream"}'`,
  ]),
  `curl -s -X POST http://127.0.0.1:6566/get-online-features -d '{"features": ["sms_features1:cap_r", "sms_labels:label"], "entities": {"sms_id": ["sms14050", "sms14051", "sms14052"]}}'`,
  `curl -s -X POST http://127.0.0.1:6566/get-online-features -d '{"feature_service": "labeled_sms_2", "entities": {"sms_id": ["sms14050", "sms14051", "sms14052"]}}'`,
  `curl -X POST "http://localhost:6566/push" -d '{
    "push_source_name": "smss2_push",
    "df": {
            "sms_id": ["sms14052"],
            "event_timestamp": ["2021-09-02 00:00:00"],
            "features": [[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,65,65,108,2,30]]
    },
    "to": "online_and_offline"
  }'`,
  `curl -s -X POST http://127.0.0.1:6566/get-online-features -d '{"feature_service": "labeled_sms_2", "entities": {"sms_id": ["sms14052"]}}'`,
  `curl -XPOST "http://localhost:8111/sms/ellen" -H 'Content-Type: application/json' -d '{"sender_id": "otto", "sms_text": "Can u get me some cabbages at the grocery store?"}'`,
  `curl http://localhost:8111/sms/ellen`,
  `curl -XPOST "http://localhost:8222/sms" -H 'Content-Type: application/json' -d '{"recipient_id": "otto", "sender_id": "ellen", "sms_text": "They only have turnips left. What do I do?"}'`,
  `curl http://localhost:8111/sms/otto`,
  `curl -s -X POST http://127.0.0.1:8999/get-online-features -d '{"feature_service": "labeled_sms_2", "entities": {"sms_id": ["sms14052"]}}'`,
];

beforeAll(async () => {
  if (!hasCurl) return;
  const b = spawnSync(process.execPath, [bin, 'bootstrap', '--data-dir', t.dir], { encoding: 'utf8', env: cleanEnv() });
  if (b.status !== 0) throw new Error(b.stderr);
  server = spawn(process.execPath, [bin, 'serve', '--compat-ports', '--data-dir', t.dir], { stdio: ['ignore', 'pipe', 'inherit'], env: cleanEnv() });
  await new Promise<void>((resolve, reject) => {
    server!.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
    server!.once('exit', (c) => reject(new Error(`serve exited with ${c} (are ports 8000, 8111, 8222, 6566, 8999 free?)`)));
  });
});
afterAll(() => {
  server?.kill('SIGTERM');
  t.remove();
});

describe.skipIf(!hasCurl)(`the seed's curl commands${hasCurl ? '' : ' (skipped: curl is not installed)'}`, () => {
  it('all answer 2xx JSON as the story shows', () => {
    const outputs = COMMANDS.map((cmd) => {
      const r = spawnSync('bash', ['-c', `${cmd.replace(/^curl /, 'curl -s -w "\\n%{http_code}" ')}`], { encoding: 'utf8' });
      const lines = r.stdout.trimEnd().split('\n');
      const status = Number(lines.pop());
      expect({ cmd, status }).toEqual({ cmd, status: expect.any(Number) });
      if (status < 200 || status >= 300) throw new Error(`${cmd}\n-> ${status} ${lines.join('\n')}`);
      return JSON.parse(lines.join('\n'));
    });
    expect(outputs[0]).toEqual({ features: [1 / 11, 0, 0, 0, 0, 0, 0, 0, 0], from_cache: false });
    expect(outputs[3].length).toBeGreaterThanOrEqual(3); // recent_call_log after three calls
    expect(outputs[5]).toMatchObject({ user_id: 'fiona', sender_id: 'nina' });
    const pushedRead = outputs[15];
    expect(pushedRead.results[pushedRead.metadata.feature_names.indexOf('features')].values[0]).toEqual([...Array(25).fill(1), 65, 65, 108, 2, 30]);
    expect(outputs[19][0].sms_text).toBe('They only have turnips left. What do I do?');
  });
});

/** seed 002 (the text-classification service), its port 5000 pointed at ours */
describe.skipIf(!hasCurl)(`seed 002's model-management curl commands${hasCurl ? '' : ' (skipped: curl is not installed)'}`, () => {
  const run = (cmd: string) => {
    const r = spawnSync('bash', ['-c', cmd.replace('[address]:5000', 'localhost:8000').replace(/^curl -i /, 'curl -s -w "\\n%{http_code}" ')], {
      encoding: 'utf8',
    });
    const lines = r.stdout.trimEnd().split('\n');
    return { status: Number(lines.pop()), body: JSON.parse(lines.join('\n')) };
  };
  const waitRun = async (id: string) => {
    for (let i = 0; i < 600; i++) {
      const r = run(`curl -i -X GET http://[address]:5000/runs/${id}`);
      if (['succeeded', 'failed', 'cancelled'].includes(r.body.status)) return r.body;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`run ${id} did not finish`);
  };
  it('trains tc-01, refuses a plain retrain, force-updates, lists, predicts, deletes', async () => {
    const train = run(
      `curl -i -H "Content-Type: application/json" -X POST -d '{"id":"tc-01", "s3bucket":"albert-textcats", "training_object":"trainingSet.json"}' http://[address]:5000/models`,
    );
    expect(train.status).toBe(202);
    expect((await waitRun(train.body.run_id)).status).toBe('succeeded');
    expect(
      run(
        `curl -i -H "Content-Type: application/json" -X POST -d '{"id":"tc-01", "s3bucket":"albert-textcats", "training_object":"trainingSet.json"}' http://[address]:5000/models`,
      ).status,
    ).toBe(409);
    const force = run(
      `curl -i -H "Content-Type: application/json" -X POST -d '{"force_update":"True", "id":"tc-01", "s3bucket":"albert-textcats-best", "training_object":"trainingSet.json"}' http://[address]:5000/models`,
    );
    expect(force.status).toBe(202);
    // the same data and parameters train the same weights: the run points at version 1 instead of
    // registering a byte-identical version 2 (issue 20)
    const forced = await waitRun(force.body.run_id);
    expect(forced).toMatchObject({ status: 'succeeded', version: '1', duplicateOf: '1' });
    const list = run(`curl -i -H "Content-Type: application/json" -X GET http://[address]:5000/models`);
    expect(list.body.find((m: { id: string }) => m.id === 'tc-01').versions).toHaveLength(1);
    const p = run(
      `curl -i -H "Content-Type: application/json" -X GET -d '{"model_id":"tc-01", "text":"I want to save for vacation!"}' http://[address]:5000/prediction`,
    );
    expect(p.status).toBe(200);
    expect(p.body.predictions[0].label).toMatch(/ham|spam/);
    const del = run(`curl -i -H "Content-Type: application/json" -X DELETE http://[address]:5000/models/tc-02`);
    expect(del.status).toBe(404); // tc-02 was never trained, as in the seed
    expect(del.body.known).toContain('tc-01');
    expect(run(`curl -i -H "Content-Type: application/json" -X DELETE "http://[address]:5000/models/tc-01?force=true"`).status).toBe(200);
  });
});
