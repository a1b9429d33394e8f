// The app installs (Chromium finds no installability error in its manifest, icons and service
// worker), and what the service worker stores is the app shell only: no response of the API,
// which holds patient data, is ever in a cache.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { connect } from '../stack/stack.ts'
import type { BrowserContext } from 'playwright-core'
import { launchPersistent } from './browser.ts'
import { untilServiceWorkerControls } from './e2e.ts'

const stack = inject('stack')

describe.skipIf(!stack)('e2e: installable, and no patient data in any cache', () => {
  const s = connect(stack!)
  let context: BrowserContext
  let closeBrowser: (() => Promise<void>) | undefined

  beforeAll(async () => {
    // Not incognito: Chromium never offers to install from an incognito window.
    ;({ context, close: closeBrowser } = await launchPersistent(stack!))
  })
  afterAll(async () => {
    await closeBrowser?.()
  })

  it('should be installable, and cache nothing from /api after notes were read', async () => {
    const token = await s.login()
    const session = { token, expiresAt: Date.now() + 3_600_000, email: stack!.email }
    await context.addInitScript(
      (v) => localStorage.setItem('medic-scribe.session', v),
      JSON.stringify(session)
    )
    const page = await context.newPage()
    await page.goto(s.base)
    await page.getByRole('heading', { name: 'New recording' }).waitFor()
    await untilServiceWorkerControls(page)
    await page.getByRole('heading', { name: 'New recording' }).waitFor()

    const cdp = await context.newCDPSession(page)
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
      installabilityErrors: { errorId: string }[]
    }
    expect(installabilityErrors.map((e) => e.errorId)).toEqual([])
    const manifest = await (await s.request('/manifest.webmanifest')).json()
    expect(manifest).toMatchObject({ display: 'standalone', start_url: '/' })

    // Read notes and a note through the app, with the service worker in control.
    await page.getByRole('link', { name: 'Notes' }).click()
    const first = page.getByRole('list').last().getByRole('link').first()
    await first.waitFor()
    await first.click()
    await page.getByRole('toolbar', { name: 'Note actions' }).waitFor()
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true)

    const cached = await page.evaluate(async () => {
      const urls: string[] = []
      for (const name of await caches.keys()) {
        for (const req of await (await caches.open(name)).keys())
          urls.push(new URL(req.url).pathname)
      }
      return urls
    })
    expect(cached).toContain('/')
    expect(cached.some((u) => u.startsWith('/assets/'))).toBe(true)
    expect(cached.filter((u) => /^\/(api|ws)(\/|$)/.test(u))).toEqual([])
  })
})
