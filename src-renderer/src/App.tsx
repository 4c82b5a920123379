/** The console's shell: sidebar navigation (hash routes), API status, theme; each pane in its own file. */
import { Suspense, useEffect } from 'react';
import { apiBase } from './api';
import { useShell } from './store/shell';
import { ApiStatus } from './shell/ApiStatus';
import { HealthBanner } from './shell/HealthBanner';
import { SidebarToggle } from './shell/SidebarToggle';
import { Icon, Spinner } from './ui';
import { PANES } from './panes';

export function App() {
  const pane = useShell((s) => s.pane);
  const go = useShell((s) => s.go);
  const theme = useShell((s) => s.theme);
  const toggleTheme = useShell((s) => s.toggleTheme);
  // an unknown #/<id> shows the first pane
  const current = PANES.find((p) => p.id === pane) ?? PANES[0];

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    document.documentElement.style.colorScheme = theme;
  }, [theme]);
  useEffect(() => {
    document.title = `${current.label} · SpamOps`;
  }, [current]);

  const Current = current.component;
  return (
    <div className="shell">
      <button type="button" className="skip" onClick={() => document.getElementById('content')?.focus()}>
        Skip to content
      </button>
      <nav className="sidebar" aria-label="Panes">
        <div className="sidebar-inner">
          <div className="brand">
            <svg width="26" height="26" viewBox="0 0 32 32" aria-hidden="true">
              <rect width="32" height="32" rx="8" fill="#2563eb" />
              <path
                d="M9 21c1.5 1.6 3.7 2.4 6.4 2.4 3.4 0 5.6-1.6 5.6-4.1 0-2.3-1.5-3.3-5-4.1-2.6-.6-3.4-1.1-3.4-2.1 0-1 1-1.7 2.6-1.7 1.7 0 3 .6 4 1.6"
                fill="none"
                stroke="#fff"
                strokeWidth="2.4"
                strokeLinecap="round"
              />
            </svg>
            <div>
              <div className="brand-name">SpamOps</div>
              <div className="brand-sub">operator console</div>
            </div>
          </div>
          <ul className="nav-list">
            {PANES.map((p) => (
              <li key={p.id}>
                <button
                  type="button"
                  className={p.id === current.id ? 'nav active' : 'nav'}
                  aria-current={p.id === current.id ? 'page' : undefined}
                  onClick={() => go(p.id)}
                  title={p.label}
                >
                  <Icon name={p.icon} />
                  <span>{p.label}</span>
                </button>
              </li>
            ))}
          </ul>
          <div className="grow" />
          <a className="side-link" href={`${apiBase}/docs`} target="_blank" rel="noreferrer">
            <Icon name="external" size={14} /> <span>API docs</span>
          </a>
          <SidebarToggle />
        </div>
      </nav>
      <div className="main">
        <header className="topbar">
          <div className="topbar-title">
            <h1>{current.label}</h1>
            <span className="blurb">{current.blurb}</span>
          </div>
          <div className="topbar-tools">
            <ApiStatus />
            <button
              type="button"
              className="icon-button"
              onClick={toggleTheme}
              aria-label="toggle theme"
              aria-pressed={theme === 'dark'}
              title={theme === 'dark' ? 'Switch to the light theme' : 'Switch to the dark theme'}
            >
              <Icon name={theme === 'dark' ? 'sun' : 'moon'} />
            </button>
          </div>
        </header>
        <HealthBanner />
        <main id="content" tabIndex={-1}>
          <Suspense fallback={<Spinner />}>
            <Current />
          </Suspense>
        </main>
      </div>
    </div>
  );
}
