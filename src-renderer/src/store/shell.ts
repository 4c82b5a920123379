/** The shell's slice: which pane (from the URL hash), the theme, the API's health. */
import { create } from 'zustand';
import { api, type HealthAnswer } from '../api';
import { idle, loader, type Remote } from './remote';
import { readSetting, writeSetting } from './persist';

/** a pane's id (src-renderer/src/panes/index.ts lists them; the shell shows the first for an unknown one) */
export type Pane = string;
export type Theme = 'light' | 'dark';

const THEME_KEY = 'spamops.theme';

function storedTheme(): Theme | undefined {
  const t = readSetting(THEME_KEY);
  return t === 'dark' || t === 'light' ? t : undefined;
}
const systemTheme = (): Theme => (window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');

export function paneFromHash(hash = window.location.hash): Pane {
  return hash.replace(/^#\/?/, '').split(/[/?]/)[0];
}

interface ShellSlice {
  pane: Pane;
  theme: Theme;
  /** the theme was chosen by the operator (else it follows the system) */
  themeChosen: boolean;
  health: Remote<HealthAnswer>;
  go(p: Pane): void;
  toggleTheme(): void;
  checkHealth(): Promise<void>;
}

export const useShell = create<ShellSlice>((set, get) => {
  const load = loader<ShellSlice>(set, get);
  return {
    pane: paneFromHash(),
    theme: storedTheme() ?? systemTheme(),
    themeChosen: storedTheme() !== undefined,
    health: idle(),
    go: (pane) => {
      if (paneFromHash() !== pane) window.location.hash = `/${pane}`;
      set({ pane });
    },
    toggleTheme: () => {
      const theme = get().theme === 'dark' ? 'light' : 'dark';
      writeSetting(THEME_KEY, theme);
      set({ theme, themeChosen: true });
    },
    checkHealth: async () => {
      await load('health', () => api.health(), { quiet: get().health.data !== undefined });
    },
  };
});

window.addEventListener('hashchange', () => useShell.setState({ pane: paneFromHash() }));
window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener?.('change', (e) => {
  if (!useShell.getState().themeChosen) useShell.setState({ theme: e.matches ? 'dark' : 'light' });
});
// before the first paint, so a dark console does not flash light while React mounts
document.documentElement.dataset.theme = useShell.getState().theme;
document.documentElement.style.colorScheme = useShell.getState().theme;
