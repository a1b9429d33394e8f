import { z } from 'zod'

/** POST /api/auth/login */
export const LoginRequestSchema = z.object({
  email: z.email().max(254),
  password: z.string().min(1).max(1024),
})
export type LoginRequest = z.infer<typeof LoginRequestSchema>

export const LoginResponseSchema = z.strictObject({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().positive(),
})
export type LoginResponse = z.infer<typeof LoginResponseSchema>

/** GET /api/config: which sign-in the PWA shows, before anyone signs in (public values only). */
export const PublicConfigSchema = z.strictObject({
  auth: z.discriminatedUnion('mode', [
    z.strictObject({ mode: z.literal('local') }),
    z.strictObject({
      mode: z.literal('supabase'),
      supabase_url: z.url(),
      supabase_anon_key: z.string().nullable(),
    }),
  ]),
  /** opus: the PWA may record Opus (WebM/Ogg) instead of 16 kHz WAV (PWA_RECORD_OPUS). */
  recording: z.strictObject({ opus: z.boolean() }).optional(),
})
export type PublicConfig = z.infer<typeof PublicConfigSchema>
