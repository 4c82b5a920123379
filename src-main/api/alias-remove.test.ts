/**
 * Removing an alias over real HTTP: an alias the model has not and a model with no version are 404s
 * naming the field; removing `production` from a version other than the newest is refused, since
 * serving would fall back to the newest version, which nobody promoted (it answered 200 and a
 * version with F1 0 served at once).
 */
import { describe, expect, it } from 'vitest';
import { sampleServerForFile } from '../testing/fixtures';

const server = sampleServerForFile({ train: false });
const { post, del } = server;

describe('removing an alias', () => {
  it('refuses removing production from an older version, and says which version would serve', async () => {
    // two versions of v1: the first in production, a newer one never promoted
    for (const nEstimators of [4, 9])
      expect((await server.engines.runs.wait((await server.engines.runs.start({ model: 'v1', params: { nEstimators } })).id)).status).toBe('succeeded');
    const [first, second] = (await server.engines.models.list('v1')).map((v) => v.version);
    expect(second).toBeDefined();
    expect((await post('/models/v1/aliases', { alias: 'production', version: first })).status).toBe(200);
    expect((await server.engines.models.resolve('v1'))?.version).toBe(first);

    const refused = await del('/models/v1/aliases/production');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'alias_serving', field: 'alias' });
    expect(refused.body.detail).toContain(`would serve version ${second}`);
    expect(refused.body.detail).toContain(`in place of version ${first}`);
    // nothing moved: serving answers with the version promoted
    expect((await server.engines.models.resolve('v1'))?.version).toBe(first);
    const served = (await (await fetch(`${server.base}/serving/stats`)).json()).served.find((s: { name: string }) => s.name === 'v1');
    expect(served.version).toBe(first);

    // forced, it goes, and the newest serves
    const forced = await del('/models/v1/aliases/production?force=true');
    expect(forced).toEqual({ status: 200, body: { removed: 'production' } });
    expect((await server.engines.models.resolve('v1'))?.version).toBe(second);
  });

  it('removes production at once when the newest version holds it (serving does not change)', async () => {
    const newest = (await server.engines.models.list('v1')).at(-1)!.version;
    expect((await post('/models/v1/aliases', { alias: 'production', version: newest })).status).toBe(200);
    expect(await del('/models/v1/aliases/production')).toEqual({ status: 200, body: { removed: 'production' } });
    expect((await server.engines.models.resolve('v1'))?.version).toBe(newest);
  });

  it('answers 404 naming the field for an alias the model has not, and for a model with no version', async () => {
    expect((await post('/models/v1/aliases', { alias: 'staging', version: (await server.engines.models.list('v1'))[0].version })).status).toBe(200);
    const alias = await del('/models/v1/aliases/nosuch');
    expect(alias.status).toBe(404);
    expect(alias.body).toMatchObject({ error: 'not_found', field: 'alias', known: ['staging'] });
    const model = await del('/models/nosuch/aliases/production');
    expect(model.status).toBe(404);
    expect(model.body).toMatchObject({ error: 'not_found', field: 'name' });
    expect(model.body.known).toContain('v1');
    // staging still there, the refused removals changed nothing
    expect((await server.engines.models.list('v1'))[0].aliases).toEqual(['staging']);
  });
});
