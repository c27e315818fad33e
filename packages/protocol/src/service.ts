import Type from 'typebox';

/** `GET /health`: liveness and basic facts. `uptime` in seconds; `storage` is the data directory (read scope) or the engine. */
export const HealthSchema = Type.Object({
  status: Type.String(),
  uptime: Type.Integer({ description: 'Seconds since start' }),
  version: Type.String(),
  storage: Type.String(),
  engine: Type.String({ description: 'sqlite | postgres' }),
  websocket: Type.Object({ totalConnections: Type.Integer(), users: Type.Integer(), sessions: Type.Integer() }),
  cluster: Type.Optional(
    Type.Object({
      listener: Type.String(),
      cursor: Type.Integer(),
      reconnects: Type.Integer(),
      downForMs: Type.Optional(Type.Integer()),
    }),
  ),
});

/** `GET /ready`: 200 `{ready: true}`; 503 `{ready: false, reason, cluster?}` while starting, draining or with the disk full. */
export const ReadySchema = Type.Object({
  ready: Type.Boolean(),
  reason: Type.Optional(Type.String()),
  cluster: Type.Optional(
    Type.Object({
      listener: Type.String(),
      cursor: Type.Integer(),
      reconnects: Type.Integer(),
      downForMs: Type.Optional(Type.Integer()),
    }),
  ),
});
