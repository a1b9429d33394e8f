import type { z } from 'zod'
import { ApiError } from '../errors.ts'

const MAX_JSON_BYTES = 1024 * 1024

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

export function parseValue<S extends z.ZodType>(value: unknown, schema: S): z.infer<S> {
  const result = schema.safeParse(value)
  if (!result.success) {
    const detail = result.error.issues
      .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
      .join('; ')
    throw new ApiError({ code: 'BAD_REQUEST', message: detail })
  }
  return result.data
}
