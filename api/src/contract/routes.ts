import type { z } from 'zod'
import {
  AdminStatusSchema,
  MeSchema,
  StatusSeriesQuerySchema,
  StatusSeriesSchema,
} from './admin.ts'
import { LoginRequestSchema, LoginResponseSchema, PublicConfigSchema } from './auth.ts'
import { CompatNoteSchema, CompatPendingSchema } from './compat.ts'
import { HealthSchema, LivenessSchema, ReadinessSchema } from './health.ts'
import { LiveEventSchema } from './live.ts'
import {
  NoteEditSchema,
  NoteListQuerySchema,
  NoteListSchema,
  NoteSchema,
  NoteVersionListSchema,
  SpeakerRolesEditSchema,
} from './notes.ts'
import { TemplateInputSchema, TemplateListSchema, TemplateSchema } from './templates.ts'
import {
  RecordingAcceptedSchema,
  RecordingFieldsSchema,
  RecordingListQuerySchema,
  RecordingListSchema,
  RecordingSchema,
  RecordingUploadHeadersSchema,
} from './recordings.ts'

/** A response that is not JSON: its content type, by pattern, or null for no body at all. */
export type MediaBody = { media: RegExp | null }
export type ResponseBody = z.ZodType | MediaBody

export type RouteContract = {
  /** Validated query string (first value of each name). */
  query?: z.ZodType
  /** Validated request headers (lower-case names). */
  headers?: z.ZodType
  /** The JSON request body. */
  json?: z.ZodType
  /** The text fields of a multipart request body. */
  form?: z.ZodType
  /** What each success status answers; one of several when the route negotiates. */
  responses: Partial<Record<number, ResponseBody | readonly ResponseBody[]>>
  /** What a WebSocket route pushes, one JSON object per message. */
  events?: z.ZodType
  /** Who may call it beyond any signed-in user: `admin` answers 403 to everyone else. */
  access?: 'admin'
}

const markdown: MediaBody = { media: /^text\/markdown/ }
const audio: MediaBody = { media: /^audio\// }
const noBody: MediaBody = { media: null }

/**
 * Every route of the API, by `METHOD /path` as the router spells it. A status not listed here
 * that is 400 or above answers the error envelope (contract/errors.ts) in JSON; any other
 * status or shape is a break of the contract (tests/unit/contract.test.ts checks both ways).
 * Ids in paths are UUIDs: a malformed one answers 404, like a missing one.
 */
export const API_ROUTES = {
  'GET /health/live': { responses: { 200: LivenessSchema } },
  'GET /health/ready': { responses: { 200: ReadinessSchema, 503: ReadinessSchema } },
  'GET /health': { responses: { 200: HealthSchema } },
  'GET /metrics': { responses: { 200: { media: /^text\/plain/ } } },
  'GET /api/config': { responses: { 200: PublicConfigSchema } },
  'POST /api/auth/login': { json: LoginRequestSchema, responses: { 200: LoginResponseSchema } },
  'POST /api/recordings': {
    headers: RecordingUploadHeadersSchema,
    form: RecordingFieldsSchema,
    responses: { 202: RecordingAcceptedSchema },
  },
  'GET /api/recordings': {
    query: RecordingListQuerySchema,
    responses: { 200: RecordingListSchema },
  },
  'GET /api/recordings/:id': { responses: { 200: RecordingSchema } },
  'GET /api/recordings/:id/audio': { responses: { 200: audio, 206: audio, 416: noBody } },
  'GET /api/notes': { query: NoteListQuerySchema, responses: { 200: NoteListSchema } },
  /** JSON, or Markdown with `Accept: text/markdown` (or `?format=md`). */
  'GET /api/notes/:id': { responses: { 200: [NoteSchema, markdown] } },
  'PATCH /api/notes/:id': { json: NoteEditSchema, responses: { 200: NoteSchema } },
  'GET /api/notes/:id/versions': { responses: { 200: NoteVersionListSchema } },
  'GET /api/notes/:id/versions/:version': { responses: { 200: NoteSchema } },
  'PUT /api/notes/:id/speakers': { json: SpeakerRolesEditSchema, responses: { 200: NoteSchema } },
  /** Built-in, clinic-wide and the caller's own templates, at their current versions. */
  'GET /api/templates': { responses: { 200: TemplateListSchema } },
  'POST /api/templates': { json: TemplateInputSchema, responses: { 201: TemplateSchema } },
  /** Someone else's personal template answers 404, like a missing one. */
  'GET /api/templates/:id': { responses: { 200: TemplateSchema } },
  /** A new version; notes keep the version that wrote them. Built-in ones are read-only (403). */
  'PUT /api/templates/:id': { json: TemplateInputSchema, responses: { 200: TemplateSchema } },
  'GET /api/templates/:id/versions/:version': { responses: { 200: TemplateSchema } },
  'GET /api/me': { responses: { 200: MeSchema } },
  /** Admins only (403 for anyone else); 503 with `monitor.available: false` without the monitor. */
  'GET /api/admin/status': {
    access: 'admin',
    responses: { 200: AdminStatusSchema, 503: AdminStatusSchema },
  },
  'GET /api/admin/status/series': {
    access: 'admin',
    query: StatusSeriesQuerySchema,
    responses: { 200: StatusSeriesSchema },
  },
  'GET /ws': { responses: { 101: noBody }, events: LiveEventSchema },
  'POST /transcribe-and-summarize': {
    responses: { 200: CompatNoteSchema, 202: CompatPendingSchema, 422: CompatPendingSchema },
  },
} as const satisfies Record<string, RouteContract>

export type ApiRoute = keyof typeof API_ROUTES
