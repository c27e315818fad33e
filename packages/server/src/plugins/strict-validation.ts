import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';

/** Ajv options shared by both validators (Fastify's defaults, but additional properties are kept, not removed). */
const BASE = { removeAdditional: false, useDefaults: true, allErrors: false } as const;

/** A number as JSON spells it (no `Infinity`, no hex, no blank). */
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message: string;
}
type Validate = ((data: unknown, ctx?: unknown) => boolean) & { errors?: unknown; schemaEnv?: unknown };

function typesOf(schema: Record<string, unknown> | undefined): string[] {
  if (!schema) return [];
  const t = schema.type;
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t as string[];
  const alts = (schema.anyOf ?? schema.oneOf) as Array<Record<string, unknown>> | undefined;
  return alts ? alts.flatMap(typesOf) : [];
}

/**
 * Strict checks of querystring and path values before Ajv coerces them (they arrive as text): a value for a number
 * field must be a finite JSON number (`Infinity`, `1e400`, `0x10`, blank refused), an integer field a safe integer,
 * a boolean field `true` or `false`; no value may hold U+0000 (the storage engines cannot search or store it).
 */
function strictScalars(schema: Record<string, unknown>, data: unknown, part: string): AjvError[] | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  for (const [key, raw] of Object.entries(data as Record<string, unknown>)) {
    const values = Array.isArray(raw) ? raw : [raw];
    const types = typesOf(props[key]);
    for (const v of values) {
      if (typeof v !== 'string') continue;
      let message: string | undefined;
      if (v.includes('\u0000')) message = 'must not contain U+0000 (NUL)';
      else if (!types.includes('string')) {
        if (types.includes('integer') && !(NUMBER.test(v) && Number.isSafeInteger(Number(v))))
          message = 'must be a whole number (at most 2^53 - 1)';
        else if (
          types.includes('number') &&
          !types.includes('integer') &&
          !(NUMBER.test(v) && Number.isFinite(Number(v)))
        )
          message = 'must be a finite number';
        else if (types.includes('boolean') && v !== 'true' && v !== 'false') message = 'must be true or false';
      }
      if (message) return [{ instancePath: `/${key}`, schemaPath: '#/strict', keyword: 'strict', params: {}, message }];
    }
  }
  return undefined;
}

const pool = AjvCompiler();

/**
 * Fastify's schema controller with strict request validation (issue #12): JSON bodies are validated without type
 * coercion (`sessionId: false` is a 400 naming the field, not the session "false"); querystring and path values,
 * which are text, are coerced by Ajv only after {@link strictScalars} accepted their spelling. Headers keep Ajv's
 * coercion. Errors name the field (`querystring/limit must be a whole number`).
 */
export const strictSchemaController: NonNullable<FastifyServerOptions['schemaController']> = {
  compilersFactory: {
    buildValidator(
      externalSchemas: unknown,
      ajvOptions: { customOptions?: Record<string, unknown>; plugins?: unknown[] } = {},
    ) {
      const opts = (coerceTypes: boolean) => ({
        ...ajvOptions,
        customOptions: { ...ajvOptions.customOptions, ...BASE, coerceTypes },
      });
      const strict = pool(externalSchemas as never, opts(false) as never);
      const coercing = pool(externalSchemas as never, opts(true) as never);
      return (route: { schema: Record<string, unknown>; method: string; url: string; httpPart: string }) => {
        if (route.httpPart === 'body') return strict(route as never);
        const v = coercing(route as never) as unknown as Validate;
        if (route.httpPart !== 'querystring' && route.httpPart !== 'params') return v;
        const wrapped: Validate = (data, ctx) => {
          const bad = strictScalars(route.schema, data, route.httpPart);
          if (bad) {
            wrapped.errors = bad;
            return false;
          }
          const ok = v(data, ctx);
          wrapped.errors = v.errors;
          return ok;
        };
        // Fastify passes the parent object (so that Ajv may coerce the root) only to validators with a schemaEnv.
        wrapped.schemaEnv = v.schemaEnv;
        return wrapped;
      };
    },
  } as never,
};
