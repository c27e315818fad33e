import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { CLOSE_UNAUTHORIZED } from '../live/connection.js';
import { authorizeLive } from '../live/authorize.js';
import type { SharedFeed } from '../storage/store.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The cross-server live feed (PostgreSQL only; undefined on SQLite, where one process owns the data). */
    cluster: SharedFeed | undefined;
  }
}

/** The listener's state for `/health` (`cluster`) and a not-ready `/ready`: state, cursor (pos), reconnects, down for ms. */
export function clusterStatus(feed: SharedFeed): {
  listener: string;
  cursor: number;
  reconnects: number;
  downForMs?: number;
} {
  return {
    listener: feed.state,
    cursor: feed.cursor,
    reconnects: feed.reconnects,
    ...(feed.downSince !== undefined ? { downForMs: Date.now() - feed.downSince } : {}),
  };
}

/**
 * Several servers on one PostgreSQL database share one live feed (docs/scaling.md): the hub of every server is fed
 * from the event log by pos (PgFeed: LISTEN/NOTIFY wakes it), so a subscriber on any server gets every server's events
 * in commit order; deletions reach every server's subscribers; key changes drop every server's cached key lookups and
 * re-check its live connections at once. Registered after the live routes; does nothing for a store without
 * `openFeed` (SQLite: one server per database).
 */
export const clusterPlugin = fp(
  async function clusterPlugin(app: FastifyInstance): Promise<void> {
    const store = app.store;
    if (!store.openFeed) {
      app.decorate('cluster', undefined);
      return;
    }
    const feed = store.openFeed({
      event: (event, session) => app.hub.publish({ type: 'event', event, ...(session ? { session } : {}) }),
      needs: () => app.live.needs(),
      deleted: (sessionId) => app.hub.sessionDeleted(sessionId),
      keysChanged: () => {
        app.keys.invalidate();
        for (const conn of app.live.connections) {
          authorizeLive(app.keys, conn.secret).then(
            (a) => {
              if (!a.ok) conn.kill(CLOSE_UNAUTHORIZED, `${a.code}: ${a.detail}`.slice(0, 120));
            },
            (err) => app.log.warn({ err }, 'live: key check failed'),
          );
        }
      },
      watched: () => app.live.watchedSessions(),
      log: (level, msg, err) => app.log[level]({ err }, msg),
    });
    app.decorate('cluster', feed);
    app.committer.onCommit((outcomes) => feed.committed(outcomes));
    app.addHook('onReady', () => feed.start());
    app.addHook('onClose', () => feed.close());
  },
  { name: 'tether-cluster', dependencies: ['tether-live'] },
);
