import type { MiddlewareHandler } from 'hono'
import type { z } from 'zod'
import type { AppEnv } from '../deps.ts'
import { ApiError } from '../errors.ts'

// Input validation, done once: every route checks its input against the contract's schemas
// (api/src/contract/) through these, and every failure is a 400 in the error envelope that says
// what is wrong, field by field.

const MAX_JSON_BYTES = 1024 * 1024

export type ValidationTarget = 'json' | 'query' | 'header'

type PathName = (path: PropertyKey[]) => string
const fieldName: PathName = (path) => path.join('.') || 'body'
/** `idempotency-key` as clients write it: `Idempotency-Key`. */
const headerName: PathName = (path) =>
  String(path[0] ?? 'headers').replace(
    /(^|-)([a-z])/g,
    (_m, dash: string, ch: string) => dash + ch.toUpperCase()
  )

/**
 * Middleware: validates one part of the request and hands the parsed value to the handler as
 * `c.req.valid(target)`. `query` sees the first value of each name, `header` lower-case names,
 * and `json` the body whatever its declared content type (as `parseJson` reads it).
 */
export function validate<T extends ValidationTarget, S extends z.ZodType>(
  target: T,
  schema: S
): MiddlewareHandler<
  AppEnv,
  string,
  { in: { [K in T]: z.input<S> }; out: { [K in T]: z.output<S> } }
> {
  return async function validateInput(c, next) {
    const value =
      target === 'json'
        ? await parseJson(c.req.raw, schema)
        : target === 'query'
          ? parseValue(c.req.query(), schema)
          : parseValue(c.req.header(), schema, headerName)
    c.req.addValidatedData(target, value as object)
    await next()
  }
}

/** Reads a small JSON body and validates it; every failure is a 400 that says what is wrong. */
export async function parseJson<S extends z.ZodType>(req: Request, schema: S): Promise<z.infer<S>> {
  const length = Number(req.headers.get('content-length') ?? 0)
  if (length > MAX_JSON_BYTES)
    throw new ApiError({ code: 'PAYLOAD_TOO_LARGE', message: 'the JSON body is too large' })
  let body: unknown
  try {
    body = await req.json()
  } catch {
    throw new ApiError({ code: 'BAD_REQUEST', message: 'the body must be JSON' })
  }
  return parseValue(body, schema)
}

/** Validates a value; a failure is a 400 naming each wrong field (`name: what is wrong`). */
export function parseValue<S extends z.ZodType>(
  value: unknown,
  schema: S,
  name: PathName = fieldName
): z.infer<S> {
  const result = schema.safeParse(value)
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${name(i.path)}: ${i.message}`).join('; ')
    throw new ApiError({ code: 'BAD_REQUEST', message: detail })
  }
  return result.data
}
