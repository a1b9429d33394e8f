// `npm run user -- add EMAIL [--admin]`: creates (or resets the password of) a local account;
// `grant-admin EMAIL` / `revoke-admin EMAIL` change an account's role (the API reads it on every
// admin request, so a change takes effect at once); `count` prints how many accounts exist
// (`make up` uses it to offer a first account).
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline/promises'
import { ConfigError, parseConfig } from '../config.ts'
import { openDatabase } from '../adapters/runtime.ts'
import { migrate } from '../store/migrations.ts'
import { storesOf } from '../store/stores.ts'
import { hashPassword } from '../auth/passwords.ts'
import { z } from 'zod'
import type { Database } from '../store/database.ts'
import type { Role } from '../store/users.ts'

const usage = [
  'usage: npm run user -- add EMAIL [--admin]   (password from USER_PASSWORD, else prompted)',
  '       npm run user -- grant-admin EMAIL     (the account may open the Status screen)',
  '       npm run user -- revoke-admin EMAIL    (back to clinician, at once)',
  '       npm run user -- count                 (how many accounts exist)',
].join('\n')

async function readPassword(): Promise<string> {
  if (process.env.USER_PASSWORD) return process.env.USER_PASSWORD
  if (!process.stdin.isTTY)
    throw new Error('set USER_PASSWORD, or run in a terminal to be prompted')
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true })
  const first = await rl.question('password: ')
  const again = await rl.question('again: ')
  rl.close()
  if (first !== again) throw new Error('the two passwords differ')
  return first
}

async function main(argv: string[]) {
  const admin = argv.includes('--admin')
  const unknown = argv.find((a) => a.startsWith('--') && a !== '--admin')
  if (unknown) throw new Error(`unknown option ${unknown}\n${usage}`)
  const [command, email] = argv.filter((a) => a !== '--admin')
  if (command === 'count' && !admin)
    return withDatabase(async (db) => console.log(await storesOf(db).users.count()))
  if (
    !email ||
    !['add', 'grant-admin', 'revoke-admin'].includes(command ?? '') ||
    (admin && command !== 'add')
  )
    throw new Error(usage)
  if (!z.email().safeParse(email).success) throw new Error(`not an email address: ${email}`)
  if (command !== 'add') return changeRole(email, command === 'grant-admin' ? 'admin' : 'clinician')
  const password = await readPassword()
  if (password.length < 12) throw new Error('the password must be at least 12 characters')
  const hash = await hashPassword(password)
  await withDatabase(async (db) => {
    const { users } = storesOf(db)
    const { created } = await users.upsertLocal(crypto.randomUUID(), email, hash)
    // Without --admin an existing account keeps its role: resetting a password revokes nothing.
    if (admin) await users.setRole(email, 'admin')
    const who = `${email.toLowerCase()}${admin ? ' (admin)' : ''}`
    console.log(created ? `created account ${who}` : `updated the password of ${who}`)
  })
}

async function changeRole(email: string, role: Role) {
  await withDatabase(async (db) => {
    if (!(await storesOf(db).users.setRole(email, role)))
      throw new Error(`no account with the email ${email.toLowerCase()}: add it first`)
    console.log(`${email.toLowerCase()} is now ${role === 'admin' ? 'an admin' : 'a clinician'}`)
  })
}

async function withDatabase(fn: (db: Database) => Promise<void>) {
  const db = await openDatabase(parseConfig(process.env, (p) => readFileSync(p, 'utf8')))
  try {
    await migrate(db)
    await fn(db)
  } finally {
    await db.close()
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof ConfigError || err instanceof Error ? err.message : String(err))
  process.exit(1)
})
