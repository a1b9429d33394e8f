// The clinician's main path in a real Chromium against the whole stack: sign in, record a
// consultation heard through the fake microphone, watch the note arrive live, edit it, reload.
import { randomBytes } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { BrowserContext, Page } from 'playwright-core'
import { connect } from '../stack/stack.ts'
import { DESKTOP, PHONE, SCREENSHOTS_DIR, launchBrowser, screenshot } from './browser.ts'
import type { Browsing } from './browser.ts'
import { browserConsultation } from './e2e.ts'

const stack = inject('stack')

describe.skipIf(!stack)('e2e: record → live note → edit → reload', () => {
  const s = connect(stack!)
  const patientRef = `E2E-${randomBytes(3).toString('hex')}`
  let browsing: Browsing
  let context: BrowserContext
  let page: Page

  beforeAll(async () => {
    browsing = await launchBrowser(stack!, { fakeAudio: await browserConsultation() })
    context = await browsing.newContext(DESKTOP)
    page = await context.newPage()
    console.log(`e2e screenshots: ${SCREENSHOTS_DIR}`)
  })
  afterAll(async () => {
    await browsing?.close()
  })

  it('should sign in through the form and land on the recorder', async () => {
    await page.goto(s.base)
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(true)
    await screenshot(page, 'sign-in')
    await page.getByLabel('Email').fill(stack!.email)
    await page.getByLabel('Password').fill(stack!.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'New recording' }).waitFor()
    await expect.poll(() => page.getByTitle('Live updates: open').isVisible()).toBe(true)
  })

  it('should record with a moving level meter, pause and resume, and upload once on stop', async () => {
    await page.getByLabel('Patient reference (optional)').fill(patientRef)
    await page.getByRole('button', { name: 'Start recording' }).click()
    await page.getByText('Recording', { exact: true }).waitFor()
    // The fake microphone plays speech: the meter must move, or the clinician would see silence.
    await expect
      .poll(() => page.locator('meter.level').evaluate((m) => (m as HTMLMeterElement).value), {
        timeout: 10_000,
      })
      .toBeGreaterThan(0.01)
    await page.waitForTimeout(4_000)
    await screenshot(page, 'recording')
    await page.getByRole('button', { name: 'Pause' }).click()
    await page.getByText('Paused', { exact: true }).waitFor()
    const pausedAt = await page.getByRole('timer').textContent()
    await page.waitForTimeout(1_500)
    expect(await page.getByRole('timer').textContent()).toBe(pausedAt)
    await page.getByRole('button', { name: 'Resume' }).click()
    await page.waitForTimeout(8_000)

    const acknowledged = page.waitForResponse(
      (r) => r.url().endsWith('/api/recordings') && r.request().method() === 'POST'
    )
    await page.getByRole('button', { name: 'Stop and save' }).click()
    await page.getByText('Recording saved on this device').waitFor()
    const response = await acknowledged
    expect(response.status()).toBe(202)
    expect(response.request().headers()['idempotency-key']).toMatch(/.+/)
    // Acknowledged: it leaves the device's list.
    await expect
      .poll(() => page.getByRole('heading', { name: 'On this device' }).count(), {
        timeout: 20_000,
      })
      .toBe(0)
  })

  it('should show the note arrive live, without a reload, labelled as the offline engine', async () => {
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same page'))
    await page.getByRole('link', { name: 'Notes' }).click()
    await page.getByRole('heading', { name: 'Notes', level: 1 }).waitFor()
    const link = page.getByRole('link', { name: new RegExp(patientRef) })
    await link.waitFor({ timeout: 180_000 })
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe(
      'same page'
    )
    await screenshot(page, 'notes')
    await link.click()
    await page.getByRole('heading', { name: new RegExp(`Note · ${patientRef}`) }).waitFor()
    await page.getByText('Offline engine, low accuracy').waitFor()
    await screenshot(page, 'note')
  })

  it('should save an edit as version 2 that a reload still shows', async () => {
    const edit = `Review blood pressure in two weeks (${patientRef})`
    await page.getByRole('button', { name: 'Edit' }).click()
    await page.getByRole('button', { name: 'Add plan item' }).click()
    const planItems = page.locator('fieldset', { hasText: 'Plan' }).locator('textarea')
    await planItems.last().fill(edit)
    await screenshot(page, 'note-edit')
    await page.getByRole('button', { name: 'Save as new version' }).click()
    await page.getByText('Saved as version 2').waitFor()

    await page.reload()
    await page.getByText(edit).waitFor()
    await expect.poll(() => page.getByText(/· version 2/).isVisible()).toBe(true)

    // The server agrees: version 2 holds the edit, version 1 does not.
    const token = await s.login()
    const id = page.url().split('/').pop()!
    const v2 = await s.json<{ version: number; markdown?: string; sections: unknown }>(
      token,
      `/api/notes/${id}`
    )
    expect(v2.version).toBe(2)
    expect(JSON.stringify(v2.sections)).toContain(edit)
    const v1 = await s.json<{ sections: unknown }>(token, `/api/notes/${id}/versions/1`)
    expect(JSON.stringify(v1.sections)).not.toContain(edit)
  })

  it('should export the edited note: Markdown download, clipboard copy, and a print view as PDF', async () => {
    const edit = `Review blood pressure in two weeks (${patientRef})`
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download Markdown' }).click(),
    ])
    expect(download.suggestedFilename()).toMatch(/^note-.+-v2\.md$/)
    const markdown = await readFile((await download.path())!, 'utf8')
    expect(markdown).toContain(edit)
    expect(markdown).toContain(patientRef)

    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.base })
    await page.getByRole('button', { name: 'Copy' }).click()
    await page.getByText('Note copied').waitFor()
    expect(await page.evaluate(() => navigator.clipboard.readText())).toContain(edit)

    // The print view: the note alone, without the app's bar, toolbar or audio controls.
    await page.emulateMedia({ media: 'print' })
    expect(await page.getByRole('toolbar', { name: 'Note actions' }).isVisible()).toBe(false)
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(false)
    expect(await page.getByText(edit).isVisible()).toBe(true)
    await mkdir(SCREENSHOTS_DIR, { recursive: true })
    const pdf = await page.pdf({ path: join(SCREENSHOTS_DIR, 'note-print.pdf'), format: 'A4' })
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    await page.emulateMedia({ media: 'screen' })
  })

  it('should fit a 390-pixel phone screen without sideways scrolling', async () => {
    const phone = await browsing.newContext(PHONE)
    await phone.addInitScript(
      (session) => localStorage.setItem('medic-scribe.session', session),
      await page.evaluate(() => localStorage.getItem('medic-scribe.session')!)
    )
    const p = await phone.newPage()
    try {
      for (const [path, name, heading] of [
        ['/', 'recorder', 'New recording'],
        ['/notes', 'notes', 'Notes'],
        [new URL(page.url()).pathname, 'note', `Note · ${patientRef}`],
      ] as const) {
        await p.goto(`${s.base}${path}`)
        await p.getByRole('heading', { name: heading, level: 1 }).waitFor()
        await p.waitForLoadState('networkidle')
        const overflow = await p.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth
        )
        expect(overflow, `${path} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0)
        await screenshot(p, name)
      }
    } finally {
      await phone.close()
    }
  })
})
