/** An event ready to send: its id, session and the exact JSON of the ingest item (serialized once, at log time). */
export interface QueuedEvent {
  id: string;
  sessionId: string;
  json: string;
}

/**
 * Durable storage for batches that are not yet delivered (see `FileSpool` in `@tether/client/node`). The batcher writes
 * every batch here before sending it and removes it once every event in it is stored or rejected by the server, so
 * events survive an agent restart; event ids make the resend after a restart exactly-once. Refs sort oldest first.
 */
export interface Spool {
  /** Refs of batches already in the spool (from an earlier process), oldest first. */
  list(): Promise<string[]>;
  /** The events of a batch. A missing or unreadable batch reads as []. */
  read(ref: string): Promise<QueuedEvent[]>;
  /** Stores a new batch; returns its ref. */
  write(events: QueuedEvent[]): Promise<string>;
  /** Replaces a batch's events (the ones still to deliver). */
  rewrite(ref: string, events: QueuedEvent[]): Promise<void>;
  /** Deletes a delivered batch. */
  remove(ref: string): Promise<void>;
  /** Stores a batch synchronously (at process exit, when async work no longer runs). */
  writeSync(events: QueuedEvent[]): void;
}
