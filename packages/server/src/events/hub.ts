import type { TetherEvent } from '@tether/protocol';
import type { SessionRecord } from './record.js';

/** What the live feed sees: committed events (with the session after them) and deletions. */
export type HubMessage =
  /** `session`: the record after the event; a cluster feed leaves it out while no live list subscriber needs it. */
  | { type: 'event'; event: TetherEvent; session?: SessionRecord }
  | { type: 'session_deleted'; sessionId: string; timestamp: string };

export type HubListener = (m: HubMessage) => void;

/**
 * The in-process fan-out point between the write path and live transports (WebSocket, SSE).
 * Listeners are called synchronously after commit, in commit order; a throwing listener is isolated.
 */
export class LiveHub {
  private readonly listeners = new Set<HubListener>();
  /** Connections of Tether's live feed (`/api/v1/ws`, SSE), for /health and /metrics. */
  readonly stats = { totalConnections: 0, users: 0, sessions: 0 };
  /** Connections of the prototype's WebSocket (`/ws`, seed/ws.ts): open sockets, distinct `user` and `session` labels. */
  readonly seedStats = { totalConnections: 0, users: 0, sessions: 0 };

  /** What `/health` reports as `websocket` (the prototype's `{totalConnections, users, sessions}`): both feeds added up. */
  websocketStats(): { totalConnections: number; users: number; sessions: number } {
    const a = this.stats;
    const b = this.seedStats;
    return {
      totalConnections: a.totalConnections + b.totalConnections,
      users: a.users + b.users,
      sessions: a.sessions + b.sessions,
    };
  }

  subscribe(l: HubListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  publish(m: HubMessage): void {
    for (const l of this.listeners) {
      try {
        l(m);
      } catch {
        /* never let one consumer break the others or the write path */
      }
    }
  }

  sessionDeleted(sessionId: string): void {
    this.publish({ type: 'session_deleted', sessionId, timestamp: new Date().toISOString() });
  }
}
