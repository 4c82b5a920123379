/** serve(): a declaration registered on a real Fastify app, answered over its inject() door. */
import { describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { Type } from '@sinclair/typebox';
import { route } from '../../src-shared/routes/define';
import { serve } from './declare';

const Thing = Type.Object({ id: Type.String(), n: Type.Integer(), note: Type.Optional(Type.String()) });
const decl = route({
  method: 'GET',
  url: '/things/:id',
  tags: ['test'],
  summary: 'a thing',
  params: Type.Object({ id: Type.String({ pattern: '^[a-z]+$' }) }),
  response: { 200: Thing },
});

async function app(answer: (id: string) => unknown) {
  const a = Fastify();
  serve(a, decl, async (req) => answer(req.params.id) as never);
  await a.ready();
  return a;
}

describe('serve', () => {
  it('answers from the response schema: undeclared fields are left out, declared ones kept', async () => {
    const a = await app((id) => ({ id, n: 2, note: 'x', secret: 'not declared' }));
    const r = await a.inject({ method: 'GET', url: '/things/abc' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ id: 'abc', n: 2, note: 'x' });
  });

  it('answers a record stored without a required field (an older version) without it, not with a 500', async () => {
    const a = await app((id) => ({ id }));
    const r = await a.inject({ method: 'GET', url: '/things/abc' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ id: 'abc' });
  });

  it('validates parameters by the declaration', async () => {
    const a = await app((id) => ({ id, n: 1 }));
    expect((await a.inject({ method: 'GET', url: '/things/ABC' })).statusCode).toBe(400);
  });
});
