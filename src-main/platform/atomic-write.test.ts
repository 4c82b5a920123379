import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeFileAtomicAsync } from './atomic-write';

const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'spamops-atomic-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('replaces the content whole and leaves no temporary file', () => {
    const d = temp();
    const f = join(d, 'a.json');
    writeFileSync(f, 'old');
    writeFileAtomic(f, '{"new":true}');
    expect(readFileSync(f, 'utf8')).toBe('{"new":true}');
    writeFileAtomic(f, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(f)]).toEqual([1, 2, 3]);
    expect(readdirSync(d)).toEqual(['a.json']);
  });

  it('creates a secret with the mode asked for', () => {
    const d = temp();
    const f = join(d, 'token');
    writeFileAtomic(f, 'x', 0o600);
    expect(statSync(f).mode & 0o777).toBe(0o600);
  });

  it('keeps the old content and removes its temporary file when the write fails', () => {
    if (process.getuid?.() === 0) {
      // root ignores directory permissions: fail by writing into a path that is not a directory
      const d = temp();
      writeFileSync(join(d, 'file'), 'x');
      expect(() => writeFileAtomic(join(d, 'file', 'child'), 'y')).toThrow(/ENOTDIR/);
      expect(readdirSync(d)).toEqual(['file']);
      return;
    }
    const d = temp();
    const f = join(d, 'a.json');
    writeFileSync(f, 'old');
    chmodSync(d, 0o500);
    try {
      expect(() => writeFileAtomic(f, 'new')).toThrow();
    } finally {
      chmodSync(d, 0o700);
    }
    expect(readFileSync(f, 'utf8')).toBe('old');
    expect(readdirSync(d)).toEqual(['a.json']);
  });
});

describe('writeFileAtomicAsync', () => {
  it('replaces the content whole, with the mode asked for, and leaves no temporary file', async () => {
    const d = temp();
    const f = join(d, 'a.json');
    writeFileSync(f, 'old');
    await writeFileAtomicAsync(f, '{"new":true}');
    expect(readFileSync(f, 'utf8')).toBe('{"new":true}');
    await writeFileAtomicAsync(join(d, 'token'), 'x', 0o600);
    expect(statSync(join(d, 'token')).mode & 0o777).toBe(0o600);
    expect(readdirSync(d).sort()).toEqual(['a.json', 'token']);
  });

  it('keeps the old content when the write fails', async () => {
    const d = temp();
    writeFileSync(join(d, 'file'), 'x');
    await expect(writeFileAtomicAsync(join(d, 'file', 'child'), 'y')).rejects.toThrow(/ENOTDIR/);
    expect(readdirSync(d)).toEqual(['file']);
    expect(readFileSync(join(d, 'file'), 'utf8')).toBe('x');
  });
});
