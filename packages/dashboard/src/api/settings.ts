/**
 * Dashboard settings kept in the browser:
 * - server URL: `?server=<url>` in the address (also saved) > localStorage `tether.server` > the page's own origin;
 * - API key: sessionStorage `tether.apiKey` (gone when the tab closes);
 * - theme: localStorage `tether.theme`, `dark` (default) or `light`.
 */
const SERVER_KEY = 'tether.server';
const API_KEY = 'tether.apiKey';
const THEME_KEY = 'tether.theme';

export type Theme = 'dark' | 'light';

function safe<T>(f: () => T, dflt: T): T {
  try {
    return f();
  } catch {
    return dflt;
  }
}

/** Normalizes a server URL: trims, adds http:// when no scheme, drops trailing slashes. Empty means "this origin". */
export function normalizeServerUrl(raw: string): string {
  const v = raw.trim();
  if (!v) return '';
  const withScheme = /^https?:\/\//i.test(v) ? v : `http://${v}`;
  return withScheme.replace(/\/+$/, '');
}

/** The Tether base URL the dashboard talks to ('' = same origin). Reads and saves `?server=` when present. */
export function getServerUrl(): string {
  const fromQuery = safe(() => new URLSearchParams(window.location.search).get('server'), null);
  if (fromQuery !== null) {
    const v = normalizeServerUrl(fromQuery);
    setServerUrl(v);
    return v;
  }
  return safe(() => localStorage.getItem(SERVER_KEY) ?? '', '');
}

/** Saves the server URL ('' returns to the page's own origin). */
export function setServerUrl(url: string): void {
  safe(
    () => (url ? localStorage.setItem(SERVER_KEY, normalizeServerUrl(url)) : localStorage.removeItem(SERVER_KEY)),
    undefined,
  );
}

/** The API key for this tab, or '' when none was entered. */
export function getApiKey(): string {
  return safe(() => sessionStorage.getItem(API_KEY) ?? '', '');
}

/** Keeps the API key in sessionStorage ('' forgets it). */
export function setApiKey(key: string): void {
  safe(() => (key ? sessionStorage.setItem(API_KEY, key) : sessionStorage.removeItem(API_KEY)), undefined);
}

/** The saved theme; dark by default. */
export function getTheme(): Theme {
  return safe(() => (localStorage.getItem(THEME_KEY) === 'light' ? 'light' : 'dark'), 'dark');
}

/** Saves and applies the theme (sets `data-theme` on <html>). */
export function setTheme(theme: Theme): void {
  safe(() => localStorage.setItem(THEME_KEY, theme), undefined);
  document.documentElement.dataset.theme = theme;
}
