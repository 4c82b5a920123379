/** The console's shell: sidebar navigation, engine status, theme; each pane in its own file. */
import { useEffect } from 'react';
import { api } from './api';
import { useShell, type Pane } from './store';
import { useLoad } from './ui';
import { InboxPane } from './panes/Inbox';
import { FeatureStorePane } from './panes/FeatureStore';
import { TrainingPane } from './panes/Training';
import { ServingPane } from './panes/Serving';
import { DriftPane } from './panes/Drift';

const PANES: { id: Pane; label: string; icon: string }[] = [
  { id: 'inbox', label: 'Inbox', icon: '✉' },
  { id: 'features', label: 'Feature store', icon: '▦' },
  { id: 'training', label: 'Training', icon: '◔' },
  { id: 'serving', label: 'Serving', icon: '⇄' },
  { id: 'drift', label: 'Drift', icon: '≋' },
];

export function App() {
  const { pane, setPane, theme, toggleTheme } = useShell();
  const health = useLoad(() => api.health());
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const Current = { inbox: InboxPane, features: FeatureStorePane, training: TrainingPane, serving: ServingPane, drift: DriftPane }[pane];
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="panes">
        <div className="brand">SpamOps</div>
        {PANES.map((p) => (
          <button key={p.id} className={p.id === pane ? 'nav active' : 'nav'} aria-current={p.id === pane ? 'page' : undefined} onClick={() => setPane(p.id)}>
            <span aria-hidden="true">{p.icon}</span> {p.label}
          </button>
        ))}
        <div className="grow" />
        <button className="nav" onClick={toggleTheme} aria-label="toggle theme">
          {theme === 'dark' ? '☀ Light theme' : '☾ Dark theme'}
        </button>
      </nav>
      <main>
        <header className="topbar">
          <h1>{PANES.find((p) => p.id === pane)!.label}</h1>
          <span className="status-line" data-testid="api-status">
            {health.data ? (
              <>
                <span className="dot ok" /> API ok · {health.data.storage.backend} · registry v{health.data.registry_version}
              </>
            ) : health.error ? (
              <>
                <span className="dot bad" /> {health.error}
              </>
            ) : (
              'connecting…'
            )}
          </span>
        </header>
        <Current />
      </main>
    </div>
  );
}
