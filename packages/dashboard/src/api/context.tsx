/**
 * React context holding the connection to one Tether service: the REST client, the live link, their status, and
 * the auth problem (401/403) that makes the app show the key prompt. Changing the server URL or key rebuilds both.
 */
import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { LiveLink, type LinkStatus } from './live';
import type { APIStatusError } from '@tether/client';
import { problemDetail, TetherRest } from './rest';
import { getApiKey, getServerUrl, setApiKey, setServerUrl } from './settings';

/** Why the service refused us: no/unknown key (401 unauthorized) or a key without the `read` scope (403 forbidden). */
export interface AuthProblem {
  status: 401 | 403;
  code: string;
  detail: string;
}

export interface TetherContextValue {
  rest: TetherRest;
  live: LiveLink;
  serverUrl: string;
  apiKey: string;
  status: LinkStatus;
  auth: AuthProblem | null;
  /** Bumped whenever the connection is rebuilt; views use it as an effect dependency to reload. */
  generation: number;
  setServer(url: string): void;
  setKey(key: string): void;
}

const Ctx = createContext<TetherContextValue | null>(null);

/** Provides the Tether connection to the app. */
export function TetherProvider({ children }: { children: ReactNode }) {
  const [serverUrl, setServerState] = useState(() => getServerUrl());
  const [apiKey, setKeyState] = useState(() => getApiKey());
  const [auth, setAuth] = useState<AuthProblem | null>(null);
  const [generation, setGeneration] = useState(0);

  // Only the current connection may raise the key prompt: a late 401/403 from the previous key is ignored.
  const current = useRef({ serverUrl, apiKey });
  current.current = { serverUrl, apiKey };
  const rest = useMemo(
    () =>
      new TetherRest({
        baseUrl: serverUrl,
        apiKey,
        onError: (err: APIStatusError) => {
          if (
            (err.status === 401 || err.status === 403) &&
            current.current.apiKey === apiKey &&
            current.current.serverUrl === serverUrl
          ) {
            setAuth({ status: err.status, code: err.code, detail: problemDetail(err) });
          }
        },
      }),
    [serverUrl, apiKey],
  );
  const live = useMemo(() => new LiveLink(rest), [rest]);
  const [status, setStatus] = useState<LinkStatus>(live.status);

  useEffect(() => {
    live.start();
    setStatus(live.status);
    const off = live.onStatus((s) => setStatus({ ...s }));
    return () => {
      off();
      live.close();
    };
  }, [live]);

  const value = useMemo<TetherContextValue>(
    () => ({
      rest,
      live,
      serverUrl,
      apiKey,
      status,
      auth,
      generation,
      setServer(url) {
        setServerUrl(url);
        setServerState(getServerUrl());
        setAuth(null);
        setGeneration((g) => g + 1);
      },
      setKey(key) {
        setApiKey(key);
        setKeyState(key);
        setAuth(null);
        setGeneration((g) => g + 1);
      },
    }),
    [rest, live, serverUrl, apiKey, status, auth, generation],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

/** The Tether connection; throws outside {@link TetherProvider}. */
export function useTether(): TetherContextValue {
  const v = useContext(Ctx);
  if (!v) throw new Error('useTether() outside <TetherProvider>');
  return v;
}
