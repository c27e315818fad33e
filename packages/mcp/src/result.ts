import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { BackendError } from './backend.js';

/** A tool's answer: the object as JSON text content and as `structuredContent` (MCP 2025-06-18 structured tool output). */
export function ok(value: object): CallToolResult {
  return {
    content: [{ type: 'text', text: JSON.stringify(value) }],
    structuredContent: value as Record<string, unknown>,
  };
}

/** A tool error (`isError: true`): the message, prefixed with the stable API code when there is one. */
export function toolError(err: unknown): CallToolResult {
  const code =
    err instanceof BackendError
      ? err.code
      : typeof (err as { code?: unknown })?.code === 'string'
        ? (err as { code: string }).code
        : undefined;
  const msg = err instanceof Error ? err.message : String(err);
  return { content: [{ type: 'text', text: code ? `${code}: ${msg}` : msg }], isError: true };
}
