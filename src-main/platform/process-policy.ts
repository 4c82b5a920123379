/**
 * What a long-lived process does with an error nobody caught: log it with its stack and keep
 * serving what still works (one failed request or background task must not take the API, the
 * feature server and every model down with it). The errors are kept for /health.
 */
export interface InternalError {
  at: string;
  kind: 'unhandledRejection' | 'uncaughtException';
  message: string;
}

const recent: InternalError[] = [];
let installed = false;

export function installProcessPolicy(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): void {
  if (installed) return;
  installed = true;
  const keep = (kind: InternalError['kind'], e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    recent.push({ at: new Date().toISOString(), kind, message: err.message });
    if (recent.length > 20) recent.shift();
    log(`[spamops] ${kind} (logged; the server keeps serving): ${err.stack ?? err.message}`);
  };
  process.on('unhandledRejection', (e) => keep('unhandledRejection', e));
  process.on('uncaughtException', (e) => keep('uncaughtException', e));
}

/** the errors caught by the policy, oldest first (at most 20) */
export function internalErrors(): readonly InternalError[] {
  return recent;
}
