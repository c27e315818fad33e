import type { EventKind } from './events.js';

/** `GET /api/query/stats`: totals over all sessions. */
export interface Stats {
  totalSessions: number;
  activeSessions: number;
  completedSessions: number;
  failedSessions: number;
  abandonedSessions: number;
  totalEvents: number;
  totalActions: number;
  totalResponses: number;
  byType: Record<string, number>;
  byStatus: Record<string, number>;
}

/** One hit of `GET /api/query/search`: the event's place and a short piece of its text. */
export interface SearchHit {
  sessionId: string;
  seq: number;
  kind: EventKind;
  timestamp: string;
  snippet: string;
}

/**
 * `GET /api/query/analytics?from&to&bucketMs`, computed by the service over events whose timestamp is in [from, to).
 * Bucket starts `t` are epoch ms; `durationMs` in ms; `errorRate` = toolErrors / toolCalls (0 when no calls).
 */
export interface Analytics {
  from: string;
  to: string;
  bucketMs: number;
  eventsOverTime: Array<{ t: number; kind: string; n: number }>;
  tokensOverTime: Array<{ t: number; input: number; output: number }>;
  tools: Array<{ tool: string | null; calls: number; errors: number }>;
  durations: Array<{ sessionId: string; type: string | null; status: string; durationMs: number }>;
  busiest: Array<{ sessionId: string; events: number; type: string | null; status: string | null }>;
  toolCalls: number;
  toolErrors: number;
  errorRate: number;
}
