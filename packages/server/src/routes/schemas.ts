import Type from 'typebox';
import { SessionIdSchema } from '@tether/protocol';

/** Shared route schemas (path parameters, acknowledgements). */
export const SessionParams = Type.Object({ sessionId: SessionIdSchema });
export const AnyObject = Type.Record(Type.String(), Type.Unknown());
export const LimitQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })) });

/** The acknowledgement of an appended action or response. */
export const AppendAck = Type.Object({
  success: Type.Boolean(),
  sessionId: Type.String(),
  seq: Type.Integer(),
  eventId: Type.String(),
  duplicate: Type.Boolean(),
});
export const Problem = Type.Ref('Problem');
