import Type from 'typebox';

/** The path of the MCP endpoint (Streamable HTTP transport, MCP 2025-06-18). */
export const MCP_PATH = '/mcp';

const JsonRpcObject = Type.Object(
  {
    jsonrpc: Type.Literal('2.0'),
    id: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Null()])),
    method: Type.Optional(Type.String()),
    params: Type.Optional(Type.Unknown()),
    result: Type.Optional(Type.Unknown()),
    error: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: true },
);

/** A JSON-RPC 2.0 message or batch, the body of `POST /mcp` (the MCP SDK checks the rest). */
export const McpRequestSchema = Type.Union([JsonRpcObject, Type.Array(JsonRpcObject, { minItems: 1 })], {
  description: 'A JSON-RPC 2.0 message (MCP request, notification or response)',
});

/** The JSON answer of `POST /mcp` to a request (a notification gets 202 and no body). */
export const McpResponseSchema = Type.Union([JsonRpcObject, Type.Array(JsonRpcObject)]);
