/**
 * Model artifacts on disk, whatever the family: each version's files checksummed when it is
 * registered and checked when it loads; metadata.json beside them. The families read and write
 * their own files (forest/artifacts.ts, lstm/artifacts.ts).
 */
import { join } from 'node:path';
import { ArtifactError, readArtifact, sha256File } from '../platform';

/** what to do about a model version whose files are missing or broken */
export function modelRemedy(dir: string): string {
  return `retrain the model (spamops train <model> --alias production) or make another version production (spamops models alias <model> production <version>), or restore ${dir} from a backup`;
}

/** sha256 of each artifact of a version's folder (metadata.json apart): kept in its record, checked on load */
export function checksumsOf(dir: string, files: string[]): Record<string, string> {
  return Object.fromEntries(files.filter((f) => f !== 'metadata.json').map((f) => [f, sha256File(join(dir, f))]));
}

/** a version's files against the checksums recorded when it was registered */
export function verifyChecksums(dir: string, checksums: Record<string, string> | undefined): void {
  for (const [file, sum] of Object.entries(checksums ?? {})) {
    const path = join(dir, file);
    const remedy = modelRemedy(dir);
    readArtifact(path, remedy);
    if (sha256File(path) !== sum)
      throw new ArtifactError(path, 'its checksum differs from the one recorded when the version was registered (changed or corrupted since)', remedy);
  }
}
