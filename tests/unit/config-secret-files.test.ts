import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseConfig as parse } from '../../api/src/config.ts'

const parseConfig = (raw: Record<string, string>) => parse(raw, (p) => readFileSync(p, 'utf8'))

// Swarm secrets arrive as files under /run/secrets: the API reads `X_FILE` for its secrets.
describe('settings read from *_FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scribe-secret-'))
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text)
    return join(dir, name)
  }

  it('reads DATABASE_URL and JWT_SECRET from their files, without the trailing newline', () => {
    const c = parseConfig({
      NODE_ENV: 'production',
      DATABASE_URL_FILE: file('url', 'postgres://scribe:pw@postgres:5432/scribe\n'),
      JWT_SECRET_FILE: file('jwt', `${'s'.repeat(40)}\n`),
    })
    expect(c.DATABASE_URL).toBe('postgres://scribe:pw@postgres:5432/scribe')
    expect(c.JWT_SECRET).toBe('s'.repeat(40))
  })

  it('keeps a value set directly over its file', () => {
    const c = parseConfig({
      DATABASE_URL: 'postgres://direct@db/x',
      DATABASE_URL_FILE: file('other', 'postgres://from-file@db/x'),
    })
    expect(c.DATABASE_URL).toBe('postgres://direct@db/x')
  })

  it('names the setting and the path when the file cannot be read', () => {
    expect(() => parseConfig({ S3_SECRET_ACCESS_KEY_FILE: join(dir, 'missing') })).toThrow(
      /S3_SECRET_ACCESS_KEY_FILE: cannot read .*missing \(ENOENT\)/
    )
  })

  it('refuses *_FILE where the runtime reads no files, naming the setting', () => {
    expect(() => parse({ JWT_SECRET_FILE: '/run/secrets/jwt' })).toThrow(
      /JWT_SECRET_FILE: files are not read here/
    )
  })

  it('checks a value read from a file like any other', () => {
    expect(() => parseConfig({ DATABASE_URL_FILE: file('bad', 'mysql://x') })).toThrow(
      /DATABASE_URL: must be a postgres:\/\/ URL/
    )
  })
})
