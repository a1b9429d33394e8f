// Lighthouse (the npm package) driving Debian's Chromium on its phone profile against the stack:
// accessibility and best practices must score 95 or more; performance and time to interactive
// are printed as figures, not asserted (they depend on how busy the machine is).
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import lighthouse from 'lighthouse'
import type { Flags, Result } from 'lighthouse'
import type { BrowserContext } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { fromRoot } from '../../ops/lib/paths.ts'
import { freePort } from '../support/scratch-stack.ts'
import { connect } from '../stack/stack.ts'
import { launchPersistent } from './browser.ts'

const stack = inject('stack')
export const LIGHTHOUSE_DIR = fromRoot('test-results', 'lighthouse')

type Row = {
  page: string
  accessibility: number
  bestPractices: number
  performance: number
  ttiMs: number
  fcpMs: number
  lcpMs: number
  tbtMs: number
  failed: string[]
}

const score = (r: Result, category: string) =>
  Math.round((r.categories[category]?.score ?? 0) * 100)
const ms = (r: Result, audit: string) => Math.round(r.audits[audit]?.numericValue ?? NaN)

/** What lost points in a category: the audits that scored under 1, by id. */
function failures(r: Result, category: string): string[] {
  return (r.categories[category]?.auditRefs ?? [])
    .filter((ref) => ref.weight > 0 && (r.audits[ref.id]?.score ?? 1) < 1)
    .map((ref) => `${category}/${ref.id}`)
}

describe.skipIf(!stack)('e2e: Lighthouse on the phone profile', () => {
  const s = connect(stack!)
  const rows: Row[] = []
  let context: BrowserContext
  let closeBrowser: (() => Promise<void>) | undefined
  let port: number

  beforeAll(async () => {
    port = await freePort()
    // Lighthouse opens its tab in this default context, so a session put in its storage is
    // what Lighthouse's page sees.
    ;({ context, close: closeBrowser } = await launchPersistent(stack!, { debuggingPort: port }))
    await mkdir(LIGHTHOUSE_DIR, { recursive: true })
  })
  afterAll(async () => {
    await closeBrowser?.()
    if (rows.length) {
      console.log(`Lighthouse (phone profile, simulated throttling); reports in ${LIGHTHOUSE_DIR}`)
      console.table(rows.map(({ failed: _, ...r }) => r))
    }
  })

  async function run(name: string, path: string, signedIn: boolean, shown: string) {
    const page = context.pages()[0] ?? (await context.newPage())
    await page.goto(s.base)
    if (signedIn) {
      const token = await s.login()
      const session = { token, expiresAt: Date.now() + 3_600_000, email: stack!.email }
      await page.evaluate(
        (v) => localStorage.setItem('medic-scribe.session', v),
        JSON.stringify(session)
      )
    } else {
      await page.evaluate(() => localStorage.clear())
    }
    const flags: Flags = {
      port,
      output: 'html',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility', 'best-practices'],
      // Keeps the session above; Lighthouse clears storage by default.
      disableStorageReset: true,
    }
    const result = await lighthouse(`${s.base}${path}`, flags)
    if (!result) throw new Error(`Lighthouse returned nothing for ${path}`)
    await writeFile(join(LIGHTHOUSE_DIR, `${name}.html`), String(result.report))
    const lhr = result.lhr
    expect(lhr.runtimeError, JSON.stringify(lhr.runtimeError)).toBeUndefined()
    // The screen Lighthouse measured is the one meant (a lost session would score sign-in).
    expect(JSON.stringify(lhr.audits)).toContain(shown)
    const row: Row = {
      page: name,
      accessibility: score(lhr, 'accessibility'),
      bestPractices: score(lhr, 'best-practices'),
      performance: score(lhr, 'performance'),
      ttiMs: ms(lhr, 'interactive'),
      fcpMs: ms(lhr, 'first-contentful-paint'),
      lcpMs: ms(lhr, 'largest-contentful-paint'),
      tbtMs: ms(lhr, 'total-blocking-time'),
      failed: [...failures(lhr, 'accessibility'), ...failures(lhr, 'best-practices')],
    }
    rows.push(row)
    return row
  }

  for (const [name, path, signedIn, shown] of [
    ['sign-in', '/', false, 'Medic Scribe turns a recorded consultation'],
    ['recorder', '/', true, 'New recording'],
    ['notes', '/notes', true, 'soap · v'],
  ] as const) {
    it(`should score 95+ for accessibility and best practices on the ${name} screen`, async () => {
      const row = await run(name, path, signedIn, shown)
      expect(row.accessibility, row.failed.join(', ')).toBeGreaterThanOrEqual(95)
      expect(row.bestPractices, row.failed.join(', ')).toBeGreaterThanOrEqual(95)
    })
  }
})
