/** The app shell: top bar (navigation, create test session, theme switch, connection indicator), the key prompt, the routed view. */
import { APIStatusError } from '@tether/client';
import { useState } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { useTether } from './api/context';
import { getTheme, setTheme, type Theme } from './api/settings';
import { ConnectionIndicator } from './components/Connection';
import { KeyPrompt } from './components/KeyPrompt';
import { createTestSession } from './lib/test-session';

export function Layout() {
  const { rest, generation } = useTether();
  const navigate = useNavigate();
  const [theme, setThemeState] = useState<Theme>(() => getTheme());
  const [busy, setBusy] = useState(false);
  const [toast, setToast] = useState<string | null>(null);

  const toggleTheme = () => {
    const next = theme === 'dark' ? 'light' : 'dark';
    setTheme(next);
    setThemeState(next);
  };
  const createTest = async () => {
    setBusy(true);
    try {
      const id = await createTestSession(rest);
      navigate(`/sessions/${encodeURIComponent(id)}`);
    } catch (err) {
      setToast(
        err instanceof APIStatusError && err.status === 403
          ? 'Your API key lacks the ingest scope needed to create a session.'
          : `Could not create a test session: ${(err as Error).message}`,
      );
      setTimeout(() => setToast(null), 6000);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="app">
      <header className="topbar">
        <NavLink to="/" className="brand" aria-label="Tether home">
          <svg width="22" height="22" viewBox="0 0 32 32" aria-hidden>
            <circle cx="10" cy="16" r="5" fill="var(--accent)" />
            <circle cx="22" cy="16" r="5" fill="var(--green)" />
            <path d="M14 16h4" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" />
          </svg>
          Tether
        </NavLink>
        <nav className="nav">
          <NavLink to="/" end className={({ isActive }) => (isActive ? 'active' : '')}>
            Sessions
          </NavLink>
          <NavLink to="/analytics" className={({ isActive }) => (isActive ? 'active' : '')}>
            Analytics
          </NavLink>
          <NavLink to="/memory" className={({ isActive }) => (isActive ? 'active' : '')}>
            Memory
          </NavLink>
          <NavLink to="/settings" className={({ isActive }) => (isActive ? 'active' : '')}>
            Settings
          </NavLink>
        </nav>
        <div className="topbar-right">
          <button className="btn" onClick={createTest} disabled={busy} data-testid="create-test-session">
            {busy ? 'Creating…' : '+ Test session'}
          </button>
          <button
            className="btn icon"
            onClick={toggleTheme}
            title={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
            aria-label="Switch theme"
            data-testid="theme-toggle"
          >
            {theme === 'dark' ? '☀' : '☾'}
          </button>
          <ConnectionIndicator />
        </div>
      </header>
      <main className="main" key={generation}>
        <Outlet />
      </main>
      {toast && (
        <div className="toast" role="alert">
          {toast}
        </div>
      )}
      <KeyPrompt />
    </div>
  );
}
