/** The API token of this install: generated once, kept in the data dir (mode 600). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../config';

export function ensureInstallToken(config: AppConfig): string {
  if (config.server.token) return config.server.token;
  const file = join(config.dataDir, 'api-token');
  if (existsSync(file)) config.server.token = readFileSync(file, 'utf8').trim();
  if (!config.server.token) {
    mkdirSync(config.dataDir, { recursive: true });
    config.server.token = randomBytes(24).toString('base64url');
    writeFileSync(file, `${config.server.token}\n`, { mode: 0o600 });
  }
  return config.server.token;
}
