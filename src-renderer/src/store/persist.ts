/** The console's few remembered choices (user, theme, model), in localStorage when it is usable. */
export function readSetting(key: string): string | undefined {
  try {
    return localStorage.getItem(key) ?? undefined;
  } catch {
    return undefined; // storage disabled: nothing remembered
  }
}

/** undefined removes the setting */
export function writeSetting(key: string, value: string | undefined): void {
  try {
    if (value === undefined) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    /* storage disabled: the choice lasts this session */
  }
}
