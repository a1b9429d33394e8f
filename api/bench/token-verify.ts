// `npm run bench:auth [-- --quick]`: what checking one request's token costs in Supabase mode,
// with the project's asymmetric keys (JWKS fetched once and cached, as in production) against
// the legacy shared secret (HS256) as the baseline, measured in the same run. Prints ratios:
// absolute figures depend on the machine. The JWKS is served on 127.0.0.1 by this process.
import { cpus, loadavg } from 'node:os'
import { SignJWT } from 'jose'
import { createSupabaseTokens } from '../src/auth/supabase-tokens.ts'
import type { TokenService } from '../src/auth/tokens.ts'
import { makeSigningKey, startJwksServer } from '../../tests/support/jwks-server.ts'

const quick = process.argv.includes('--quick')
const ROUNDS = quick ? 3 : 9
const PER_ROUND = quick ? 300 : 1500
const SECRET = 'bench-legacy-supabase-jwt-secret-0123456789'

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/**
 * CPU microseconds (user + system, all threads: WebCrypto runs on the thread pool) per verify
 * over PER_ROUND sequential verifications of one token, and wall microseconds. CPU time is what
 * a request costs the server and is less disturbed than wall time by other work on the machine.
 */
async function timeRound(tokens: TokenService, token: string): Promise<[number, number]> {
  const cpu = process.cpuUsage()
  const start = process.hrtime.bigint()
  for (let i = 0; i < PER_ROUND; i++) await tokens.verify(token)
  const used = process.cpuUsage(cpu)
  const wall = Number(process.hrtime.bigint() - start) / 1000
  return [(used.user + used.system) / PER_ROUND, wall / PER_ROUND]
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
  const variants: [string, string][] = [
    ['HS256 shared secret (baseline)', hs],
    ...(await Promise.all(
      [es, rs].map(
        async (key) =>
          [
            `${key.alg} via cached JWKS`,
            await jwks.sign(key, { sub, email: 'bench@example.org' }),
          ] as [string, string]
      )
    )),
  ]
  // Warm-up (and the one JWKS fetch), then the variants interleaved round by round, so load
  // from other work on the machine falls on all of them alike; ratios are taken per round.
  for (const [, token] of variants) for (let i = 0; i < 200; i++) await tokens.verify(token)
  const cpu = variants.map(() => [] as number[])
  const wall = variants.map(() => [] as number[])
  for (let r = 0; r < ROUNDS; r++)
    for (const [i, [, token]] of variants.entries()) {
      const [c, w] = await timeRound(tokens, token)
      cpu[i]!.push(c)
      wall[i]!.push(w)
    }
  const [load1] = loadavg()
  console.log(
    `token verification: ${ROUNDS} interleaved rounds x ${PER_ROUND} per variant, node ${process.version}, ${cpus().length} CPUs, load ${load1!.toFixed(1)}`
  )
  for (const [i, [name]] of variants.entries()) {
    const ratio = (xs: number[][]) => median(xs[i]!.map((us, r) => us / xs[0]![r]!)).toFixed(2)
    console.log(
      `  ${name.padEnd(31)} CPU ${median(cpu[i]!).toFixed(1).padStart(6)} µs/verify ${ratio(cpu)}x` +
        `   wall ${median(wall[i]!).toFixed(1).padStart(6)} µs/verify ${ratio(wall)}x`
    )
  }
  console.log('  (medians; ratios against the baseline are taken per round, then the median)')
  console.log(`  JWKS fetches during the run: ${jwks.state.fetches} (cached after the first)`)
} finally {
  await jwks.close()
}
