import { describe, expect, it } from 'vitest';
import { pathOf } from './define';

describe('pathOf', () => {
  it('fills each parameter, percent-encoded', () => {
    expect(pathOf('/models/:name/versions/:version', { name: 'tc 01/x', version: '2' })).toBe('/models/tc%2001%2Fx/versions/2');
  });
  it('names a parameter that is missing', () => {
    expect(() => pathOf('/runs/:id', {})).toThrow('/runs/:id: parameter "id" is missing');
  });
});
