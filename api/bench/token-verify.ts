// `npm run bench:auth [-- --quick]`: what checking one request's token costs in Supabase mode,
// with the project's asymmetric keys (JWKS fetched once and cached, as in production) against
// the legacy shared secret (HS256) as the baseline, measured in the same run. Prints ratios:
// absolute figures depend on the machine. The JWKS is served on 127.0.0.1 by this process.
import { SignJWT } from 'jose'
import { createSupabaseTokens } from '../src/auth/supabase-tokens.ts'
import type { TokenService } from '../src/auth/tokens.ts'
import { makeSigningKey, startJwksServer } from '../../tests/support/jwks-server.ts'

const quick = process.argv.includes('--quick')
const ROUNDS = quick ? 3 : 7
const PER_ROUND = quick ? 500 : 3000
const SECRET = 'bench-legacy-supabase-jwt-secret-0123456789'

/** Median microseconds per verify over ROUNDS rounds of PER_ROUND sequential verifications. */
async function measure(tokens: TokenService, token: string): Promise<number> {
  for (let i = 0; i < 200; i++) await tokens.verify(token) // warm-up, and the one JWKS fetch
  const perOp: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < PER_ROUND; i++) await tokens.verify(token)
    perOp.push(Number(process.hrtime.bigint() - start) / 1000 / PER_ROUND)
  }
  return perOp.sort((a, b) => a - b)[Math.floor(perOp.length / 2)]!
}

const [es, rs] = await Promise.all([makeSigningKey('es', 'ES256'), makeSigningKey('rs', 'RS256')])
const jwks = await startJwksServer([es, rs])
try {
  const tokens = createSupabaseTokens({ url: jwks.url, jwtSecret: SECRET, now: Date.now })
  const sub = crypto.randomUUID()
  const hs = await new SignJWT({ email: 'bench@example.org', role: 'authenticated' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(`${jwks.url}/auth/v1`)
    .setAudience('authenticated')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET))
  const baseline = await measure(tokens, hs)
  const rows: [string, number][] = [['HS256 shared secret (baseline)', baseline]]
  for (const key of [es, rs])
    rows.push([
      `${key.alg} via cached JWKS`,
      await measure(tokens, await jwks.sign(key, { sub, email: 'bench@example.org' })),
    ])
  console.log(
    `token verification, median of ${ROUNDS} rounds x ${PER_ROUND} (node ${process.version})`
  )
  for (const [name, us] of rows)
    console.log(
      `  ${name.padEnd(32)} ${us.toFixed(1).padStart(7)} µs/verify  ${(us / baseline).toFixed(2)}x`
    )
  console.log(`  JWKS fetches during the run: ${jwks.state.fetches} (cached after the first)`)
} finally {
  await jwks.close()
}
