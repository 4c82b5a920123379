/**
 * The command list: a command is its module plus one line in commands/index.ts. Every exported
 * command is in the help, once, under its group, and the groups keep their order.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { commands } from './index';
import { GROUP_ORDER } from './groups';

describe('spamops commands', () => {
  it('finds every command module listed in commands/index.ts, each once, ordered by group', () => {
    const list = commands();
    const names = list.map((c) => c.name());
    expect(new Set(names).size).toBe(names.length);
    for (const n of ['import', 'train', 'models', 'drift', 'serve', 'sms', 'check', 'materialize-incremental']) expect(names).toContain(n);
    const ranks = list.map((c) => GROUP_ORDER.indexOf(c.helpGroup()));
    expect(ranks.every((r) => r >= 0)).toBe(true);
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
  });

  it('lists every module under commands/ that defines a command (none forgotten)', () => {
    const dir = join(__dirname, 'commands');
    const index = readFileSync(join(dir, 'index.ts'), 'utf8');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts') && !x.endsWith('.test.ts') && x !== 'index.ts')) {
      if (/new Command\(/.test(readFileSync(join(dir, f), 'utf8')))
        expect(index, `${f} is not listed in commands/index.ts`).toContain(`from './${f.slice(0, -3)}'`);
    }
  });
});
