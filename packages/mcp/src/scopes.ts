/** The API-key scopes a tool may need (Tether's REST scopes: read tools need `read`, write tools `ingest`). */
export type ToolScope = 'read' | 'ingest';

/**
 * Who is calling: the scopes of the caller's API key. `undefined` means "not checked here" (stdio, where the service
 * checks the key `tether mcp` was started with on every REST call).
 */
export interface McpCaller {
  scopes?: ReadonlySet<string> | undefined;
}

/** Throws a `forbidden` error when the caller's key lacks `need` (`admin` implies every scope). */
export function requireScope(caller: McpCaller, need: ToolScope): void {
  const s = caller.scopes;
  if (!s || s.has(need) || s.has('admin')) return;
  throw Object.assign(new Error(`This API key lacks the "${need}" scope`), { code: 'forbidden' });
}
