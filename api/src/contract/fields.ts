// Field schemas that several resources share.
import { z } from 'zod'

/**
 * A page size from the query string, clamped into 1..max; anything that is not a positive number
 * (absent, empty, `abc`, 0) means `fallback`. Lenient on purpose: a list never fails on its limit.
 */
export const pageLimit = (fallback: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v) => Math.min(Math.max(Number(v ?? fallback) || fallback, 1), max))

/** Timestamps the API writes: `Date.prototype.toISOString()`, always UTC. */
export const timestamp = () => z.iso.datetime()
