import type { SessionState, SessionSummary, SessionMetrics, SessionStatus } from '@tether/protocol';

/** A session as the server holds it: the listed summary plus the state snapshot and the finalization payload. */
export interface SessionRecord extends SessionSummary {
  state: SessionState;
  final: unknown;
}

export function emptyMetrics(): SessionMetrics {
  return {
    events: 0,
    actions: 0,
    responses: 0,
    toolCalls: 0,
    toolErrors: 0,
    bashCommands: 0,
    filesModified: 0,
    mcpCalls: 0,
    agentsSpawned: 0,
    agentsCompleted: 0,
    goals: 0,
  };
}

export function emptyState(sessionId: string): SessionState {
  return {
    sessionId,
    version: 1,
    phase: 'initialization',
    currentStep: null,
    goals: [],
    priorities: [],
    agents: { spawned: [], active: [], completed: [] },
    workspace: {},
    errors: [],
  };
}

export const FINAL_STATUSES: ReadonlySet<SessionStatus> = new Set(['completed', 'failed', 'abandoned']);

/** The summary part of a record (what lists return): everything but state and final. */
export function toSummary(r: SessionRecord): SessionSummary {
  return {
    sessionId: r.sessionId,
    userId: r.userId,
    type: r.type,
    parentSessionId: r.parentSessionId,
    status: r.status,
    tags: r.tags,
    metadata: r.metadata,
    initial: r.initial,
    created: r.created,
    updated: r.updated,
    endedAt: r.endedAt,
    durationMs: r.durationMs,
    lastSeq: r.lastSeq,
    stateVersion: r.stateVersion,
  };
}
