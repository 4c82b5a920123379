/** The API token of an install: generated once, kept in the data dir (mode 600, written atomically). */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic } from './atomic-write';

export const INSTALL_TOKEN_FILE = 'api-token';

/** the token in `<dataDir>/api-token`, made on first use */
export function ensureInstallToken(dataDir: string): string {
  const file = join(dataDir, INSTALL_TOKEN_FILE);
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token) return token;
  }
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(24).toString('base64url');
  writeFileAtomic(file, `${token}\n`, 0o600);
  return token;
}
