import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SignJWT, exportJWK, generateKeyPair } from 'jose'
import type { CryptoKey, JWK } from 'jose'

export type SigningKey = { kid: string; alg: 'ES256' | 'RS256'; privateKey: CryptoKey; jwk: JWK }

export async function makeSigningKey(kid: string, alg: SigningKey['alg']): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig', key_ops: ['verify'] }
  return { kid, alg, privateKey, jwk }
}

/**
 * A stand-in for a Supabase project's Auth on 127.0.0.1: it publishes the given public keys at
 * /auth/v1/.well-known/jwks.json exactly as Supabase does ({ keys: [...] }) and counts fetches.
 * `failing` makes it answer 500, as an outage would.
 */
export async function startJwksServer(initial: SigningKey[]) {
  const state = { keys: initial, fetches: 0, failing: false }
  const server = createServer((req, res) => {
    if (req.url !== '/auth/v1/.well-known/jwks.json') {
      res.writeHead(404, { 'content-type': 'application/json' })
      return res.end(JSON.stringify({ code: 404, error_code: 'not_found', msg: 'Not found' }))
    }
    state.fetches += 1
    if (state.failing) {
      res.writeHead(500, { 'content-type': 'application/json' })
      return res.end(JSON.stringify({ code: 500, msg: 'Internal Server Error' }))
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=600' })
    res.end(JSON.stringify({ keys: state.keys.map((k) => k.jwk) }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    state,
    /** Signs a token shaped like Supabase Auth's access tokens. */
    sign(
      key: SigningKey,
      claims: { sub: string; email?: string },
      opts: { iss?: string; aud?: string; exp?: number | string; kid?: string } = {}
    ) {
      return new SignJWT({ email: claims.email, role: 'authenticated', aal: 'aal1' })
        .setProtectedHeader({ alg: key.alg, kid: opts.kid ?? key.kid, typ: 'JWT' })
        .setSubject(claims.sub)
        .setIssuer(opts.iss ?? `${url}/auth/v1`)
        .setAudience(opts.aud ?? 'authenticated')
        .setIssuedAt()
        .setExpirationTime(opts.exp ?? '1h')
        .sign(key.privateKey)
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
export type JwksServer = Awaited<ReturnType<typeof startJwksServer>>
