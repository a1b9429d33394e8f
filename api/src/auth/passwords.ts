import { argon2id, argon2Verify } from 'hash-wasm'

// Argon2id with OWASP's minimum profile (19 MiB, 2 passes); WASM so it runs on Node and Deno alike.
const PARAMS = { parallelism: 1, iterations: 2, memorySize: 19_456, hashLength: 32 } as const

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16))
  return argon2id({ password, salt, ...PARAMS, outputType: 'encoded' })
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  try {
    return await argon2Verify({ password, hash: encoded })
  } catch {
    return false
  }
}

// Verifying against this when the account does not exist keeps the timing the same, so
// response times do not reveal which emails have accounts.
let dummyHash: Promise<string> | undefined
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('not-a-real-password')
  return dummyHash
}
