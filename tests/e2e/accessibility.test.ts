// Every main screen checked by axe-core (WCAG 2.1 A and AA rules, colour contrast included) in
// Chromium, at phone and desktop sizes, plus a keyboard-only walk through the recorder.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { consultationWav } from '../support/audio.ts'
import { connect } from '../stack/stack.ts'
import { DESKTOP, PHONE, launchBrowser, signedInContext } from './browser.ts'
import type { Browsing } from './browser.ts'
import { audit } from './axe.ts'

const stack = inject('stack')

describe.skipIf(!stack)('e2e: accessibility of every screen', () => {
  const s = connect(stack!)
  let browsing: Browsing
  let token: string
  let noteId: string

  beforeAll(async () => {
    browsing = await launchBrowser(stack!)
    token = await s.login()
    const { rec } = await s.uploadAndSettle(token, await consultationWav())
    noteId = rec.note_id!
  })
  afterAll(async () => {
    await browsing?.close()
  })

  it('should report a real violation when one is there (the audit itself works)', async () => {
    const context = await browsing.newContext(DESKTOP)
    const page = await context.newPage()
    await page.goto(s.base)
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await page.evaluate(() => {
      const img = document.createElement('img')
      img.src = '/icons/icon-192.png'
      document.querySelector('main')?.append(img)
    })
    expect((await audit(page)).join('\n')).toMatch(/image-alt/)
    await context.close()
  })

  for (const viewport of [PHONE, DESKTOP]) {
    const size = viewport === PHONE ? 'phone' : 'desktop'

    it(`should have no axe violations on the sign-in screen (${size})`, async () => {
      const context = await browsing.newContext(viewport)
      const page = await context.newPage()
      await page.goto(s.base)
      await page.getByRole('heading', { name: 'Sign in' }).waitFor()
      expect(await audit(page)).toEqual([])
      await context.close()
    })

    it(`should have no axe violations on the recorder, notes, note, editor and templates (${size})`, async () => {
      const context = await signedInContext(browsing, stack!, token, viewport)
      const page = await context.newPage()
      const found: string[] = []
      const check = async (screen: string) =>
        found.push(...(await audit(page)).map((v) => `${screen}: ${v}`))

      await page.goto(s.base)
      await page.getByRole('heading', { name: 'New recording' }).waitFor()
      await check('recorder')
      await page.goto(`${s.base}/notes`)
      await page.getByRole('link', { name: /·|\d/ }).first().waitFor()
      await check('notes')
      await page.goto(`${s.base}/notes/${noteId}`)
      await page.getByRole('toolbar', { name: 'Note actions' }).waitFor()
      await check('note')
      await page.getByRole('button', { name: 'Edit' }).click()
      await page.getByRole('button', { name: 'Save as new version' }).waitFor()
      await check('editor')
      await page.getByRole('button', { name: 'Cancel' }).click()
      await page.getByRole('button', { name: 'Versions' }).click()
      await page.getByRole('navigation', { name: 'Versions' }).waitFor()
      await check('versions')
      await page.goto(`${s.base}/templates`)
      await page.getByRole('button', { name: 'Copy SOAP', exact: true }).waitFor()
      await check('templates')
      await page.getByRole('button', { name: 'Copy SOAP', exact: true }).click()
      await page.getByRole('button', { name: 'Create template' }).waitFor()
      await check('template editor')
      expect(found).toEqual([])
      await context.close()
    })
  }

  it('should let a keyboard alone start and stop a recording, with focus always visible', async () => {
    const context = await signedInContext(browsing, stack!, token, DESKTOP)
    const page = await context.newPage()
    await page.goto(s.base)
    await page.getByRole('heading', { name: 'New recording' }).waitFor()
    // The first Tab reaches the skip link, which moves focus to the content.
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content')
    const seen: string[] = []
    for (let i = 0; i < 20 && !seen.includes('Start recording'); i++) {
      await page.keyboard.press('Tab')
      const focus = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null
        if (!el) return null
        const style = getComputedStyle(el)
        return {
          name: el.getAttribute('aria-label') ?? el.textContent?.trim() ?? el.id,
          outlined: style.outlineStyle !== 'none' && style.outlineWidth !== '0px',
        }
      })
      expect(focus, 'focus is on an element').not.toBeNull()
      expect(focus!.outlined, `focus on "${focus!.name}" is visible`).toBe(true)
      seen.push(focus!.name)
    }
    expect(seen).toContain('Start recording')
    await page.keyboard.press('Enter')
    await page.getByText('Recording', { exact: true }).waitFor()
    // Stop is reachable from the keyboard too; the stored recording then uploads.
    await page.getByRole('button', { name: 'Stop and save' }).focus()
    await page.keyboard.press('Enter')
    await page.getByText('Recording saved on this device').waitFor()
    await context.close()
  })
})
