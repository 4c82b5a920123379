/** The training ids file of the seed story: one sms_id per line, # comments allowed. */
import { readFileSync } from 'node:fs';

export function readTrainingIds(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the training ids file ${path}: ${(e as Error).message}`);
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}
