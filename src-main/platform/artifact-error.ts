/**
 * An artifact on disk (a model's weights, the tokenizer, a reference file) that is missing,
 * truncated or corrupt: which file, what is wrong with it, and how to get a good one back. The
 * API answers it with 503 naming the file; /health lists it; nothing else stops for it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export class ArtifactError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly remedy: string,
  ) {
    super(`${file}: ${problem}; ${remedy}`);
    this.name = 'ArtifactError';
  }
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** reads a file the code cannot work without, as text: a missing file is an ArtifactError */
export function readArtifact(path: string, remedy: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ArtifactError(path, code === 'ENOENT' ? 'missing' : `unreadable (${code ?? (e as Error).message})`, remedy);
  }
}

/** parses an artifact's JSON: a broken file is an ArtifactError naming it */
export function readJsonArtifact<T>(path: string, remedy: string): T {
  const text = readArtifact(path, remedy).toString('utf8');
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new ArtifactError(path, `not valid JSON (${(e as Error).message})`, remedy);
  }
}
