// `npm run user -- add EMAIL`: creates (or resets the password of) a local account; `count`
// prints how many accounts exist (`make up` uses it to offer a first account).
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline/promises'
import { ConfigError, parseConfig } from '../config.ts'
import { openDatabase } from '../adapters/runtime.ts'
import { migrate } from '../store/migrations.ts'
import { storesOf } from '../store/stores.ts'
import { hashPassword } from '../auth/passwords.ts'
import { z } from 'zod'
import type { Database } from '../store/database.ts'

const usage =
  'usage: npm run user -- add EMAIL   (password from USER_PASSWORD, else prompted)\n       npm run user -- count       (how many accounts exist)'

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
  const [command, email] = argv
  if (command === 'count')
    return withDatabase(async (db) => console.log(await storesOf(db).users.count()))
  if (command !== 'add' || !email) throw new Error(usage)
  if (!z.email().safeParse(email).success) throw new Error(`not an email address: ${email}`)
  const password = await readPassword()
  if (password.length < 12) throw new Error('the password must be at least 12 characters')
  const hash = await hashPassword(password)
  await withDatabase(async (db) => {
    const { created } = await storesOf(db).users.upsertLocal(crypto.randomUUID(), email, hash)
    console.log(
      created
        ? `created account ${email.toLowerCase()}`
        : `updated the password of ${email.toLowerCase()}`
    )
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
