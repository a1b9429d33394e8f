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
