// What the browser tests share besides the browser itself.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect } from 'vitest'
import { synthesizeConsultation } from '../support/audio.ts'
import type { connect, StackInfo } from '../stack/stack.ts'
import { launchBrowser } from './browser.ts'
import type { Browsing } from './browser.ts'
import { startNetworkProxy } from './network-proxy.ts'
import type { NetworkProxy } from './network-proxy.ts'

/** Spoken slowly and clearly, so the offline engine hears enough of it to write a note. */
export const LINES_FOR_BROWSER = [
  'Good morning. What brings you in today?',
  'I have had a bad headache for three days.',
  'Your blood pressure today is one hundred and fifty over ninety five.',
  'I will start amlodipine five milligrams once daily.',
  'Please follow up in two weeks.',
]

/** The consultation as Chromium's fake microphone wants it (48 kHz). */
export const browserConsultation = () => synthesizeConsultation(LINES_FOR_BROWSER, { rate: 48_000 })

/** Chromium hearing the consultation, all its traffic through a proxy the test can cut. */
export async function browserBehindProxy(
  stack: StackInfo
): Promise<{ browsing: Browsing; proxy: NetworkProxy; close: () => Promise<void> }> {
  const proxy = await startNetworkProxy()
  const browsing = await launchBrowser(stack, {
    fakeAudio: await browserConsultation(),
    proxyPort: proxy.port,
  })
  return {
    browsing,
    proxy,
    close: async () => {
      await browsing.close()
      await proxy.close()
    },
  }
}

/**
 * A suite's browser behind its proxy: launched before the suite's tests, closed after them. Read
 * `browsing` and `proxy` inside the tests (they exist once beforeAll ran).
 */
export function useBrowserBehindProxy(stack: StackInfo): {
  browsing: Browsing
  proxy: NetworkProxy
} {
  let started: Awaited<ReturnType<typeof browserBehindProxy>> | undefined
  beforeAll(async () => {
    started = await browserBehindProxy(stack)
  })
  afterAll(async () => {
    await started?.close()
  })
  const get = () => {
    if (!started) throw new Error('the browser is not started yet: use it inside a test')
    return started
  }
  return {
    get browsing() {
      return get().browsing
    },
    get proxy() {
      return get().proxy
    },
  }
}

/** Waits until a service worker controls the page (reloading once after it installs). */
export async function untilServiceWorkerControls(page: Page): Promise<void> {
  const active = () =>
    page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.active)
  await expect
    .poll(active, {
      timeout: 30_000,
      message: 'no service worker became active (a development build registers none)',
    })
    .toBe(true)
  await page.reload()
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true)
}

export type RecordingRow = { id: string; status: string; patient_ref: string | null }

/** The server's recordings with this patient reference (the tests' way to tell theirs apart). */
export async function recordingsFor(
  s: ReturnType<typeof connect>,
  token: string,
  patientRef: string
): Promise<RecordingRow[]> {
  const list = await s.json<{ items: RecordingRow[] }>(token, '/api/recordings?limit=100')
  return list.items.filter((r) => r.patient_ref === patientRef)
}
