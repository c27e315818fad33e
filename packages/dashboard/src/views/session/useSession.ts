/**
 * Everything the session page shows, kept live: the summary (header), the whole event log (loaded in a first page of 1,000 then pages of 10,000
 * from `GET /api/sessions/:id/events`, then followed over the live feed from the last seq), and the current state
 * (`GET /api/state/:id`, refetched when a state-changing event arrives).
 */
import { useEffect, useRef, useState } from 'react';
import { useTether } from '../../api/context';
import { APIStatusError } from '@tether/client';
import { getSessionSummary } from '../../api/rest';
import type { SessionState, SessionSummary, TetherEvent } from '../../api/types';
import { STATE_KINDS } from '../../lib/events';

/** Events in the first request (small: the first rows paint sooner) and in each later one (the API allows 10,000). */
const FIRST_PAGE = 1000;
const PAGE = 10_000;

export interface SessionData {
  summary: SessionSummary | null;
  /** The log in seq order. The array is appended in place; `version` changes with every append. */
  events: TetherEvent[];
  version: number;
  /** True once every stored event was loaded (live events follow). */
  historyDone: boolean;
  state: SessionState | null;
  error: unknown;
  /** True when the service answered 404 `session_not_found`: there is no such session (or it was deleted). */
  notFound: boolean;
}

export function useSession(sessionId: string): SessionData {
  const { rest, live } = useTether();
  const eventsRef = useRef<TetherEvent[]>([]);
  const [version, setVersion] = useState(0);
  const [summary, setSummary] = useState<SessionSummary | null>(null);
  const [state, setState] = useState<SessionState | null>(null);
  const [historyDone, setHistoryDone] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notFound, setNotFound] = useState(false);

  useEffect(() => {
    const ac = new AbortController();
    let stopLive: (() => void) | undefined;
    let stopList: (() => void) | undefined;
    let stateTimer: ReturnType<typeof setTimeout> | undefined;
    eventsRef.current = [];
    setVersion(0);
    setSummary(null);
    setState(null);
    setHistoryDone(false);
    setError(null);
    setNotFound(false);

    const refreshState = () => {
      if (stateTimer) return;
      stateTimer = setTimeout(() => {
        stateTimer = undefined;
        rest.getState(sessionId, undefined, ac.signal).then(setState, () => {});
      }, 150);
    };
    const append = (batch: TetherEvent[]) => {
      const arr = eventsRef.current;
      const last = arr.length ? arr[arr.length - 1]!.seq : 0;
      const fresh = batch.filter((e) => e.seq > last);
      if (!fresh.length) return;
      arr.push(...fresh);
      setVersion((v) => v + 1);
      if (fresh.some((e) => STATE_KINDS.has(e.kind))) refreshState();
      const fin = fresh.find((e) => e.kind === 'session_finalized' || e.kind === 'metadata_updated');
      if (fin) getSessionSummary(rest, sessionId, ac.signal).then(setSummary, () => {});
      else
        setSummary((s) =>
          s
            ? {
                ...s,
                lastSeq: Math.max(s.lastSeq, fresh[fresh.length - 1]!.seq),
                updated:
                  fresh[fresh.length - 1]!.timestamp > s.updated ? fresh[fresh.length - 1]!.timestamp : s.updated,
              }
            : s,
        );
    };

    // The list channel carries the session's summary (coalesced to one per second): the header's metrics and tokens.
    stopList = live.watchList(
      (c) => {
        if (c.sessionId === sessionId && c.session)
          setSummary((s) => (!s || c.session!.lastSeq >= s.lastSeq ? c.session : s));
      },
      () => {
        getSessionSummary(rest, sessionId, ac.signal).then(setSummary, () => {});
      },
    );

    (async () => {
      try {
        // Summary, state and the first (small) page of events in parallel; then big pages until the end.
        const head = Promise.all([
          getSessionSummary(rest, sessionId, ac.signal),
          rest.getState(sessionId, undefined, ac.signal),
        ]).then(([sum, st]) => {
          setSummary((s) => (s && s.lastSeq > sum.lastSeq ? s : sum));
          setState(st);
        });
        head.catch(() => {});
        let after = 0;
        for (let n = 0; ; n++) {
          const page = await rest.listEvents(sessionId, { after, limit: n === 0 ? FIRST_PAGE : PAGE }, ac.signal);
          append(page.events);
          if (page.nextAfter === null || !page.events.length) break;
          after = page.nextAfter;
        }
        await head;
        setHistoryDone(true);
        const last = eventsRef.current.length ? eventsRef.current[eventsRef.current.length - 1]!.seq : 0;
        if (!ac.signal.aborted) stopLive = live.watchSession(sessionId, last, append);
      } catch (err) {
        if ((err as Error).name === 'AbortError') return;
        if (err instanceof APIStatusError && err.code === 'session_not_found') setNotFound(true);
        else setError(err);
      }
    })();
    return () => {
      ac.abort();
      stopLive?.();
      stopList?.();
      clearTimeout(stateTimer);
    };
  }, [rest, live, sessionId]);

  return { summary, events: eventsRef.current, version, historyDone, state, error, notFound };
}
