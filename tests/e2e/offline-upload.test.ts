// The network drops while a recording uploads: the page is reloaded offline (the service worker
// serves the app), the recording waits on the device, and once back online it uploads exactly
// once and its note arrives.
import { randomBytes } from 'node:crypto'
import { describe, expect, inject, it } from 'vitest'
import { connect } from '../stack/stack.ts'
import { DESKTOP, screenshot, signedInContext } from './browser.ts'
import { useBrowserBehindProxy, recordingsFor, untilServiceWorkerControls } from './e2e.ts'

const stack = inject('stack')

describe.skipIf(!stack)('e2e: offline during the upload, reload, back online', () => {
  const s = connect(stack!)
  const patientRef = `OFFLINE-${randomBytes(3).toString('hex')}`
  const b = useBrowserBehindProxy(stack!)

  it('should keep the recording through an offline reload and upload it once when back online', async () => {
    const token = await s.login()
    const context = await signedInContext(b.browsing, stack!, token, DESKTOP)
    const page = await context.newPage()
    const posts: number[] = []
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/recordings')) posts.push(Date.now())
    })
    await page.goto(s.base)
    await page.getByRole('heading', { name: 'New recording' }).waitFor()
    // The service worker must control the page before the network goes, or an offline reload
    // has nothing to start from.
    await untilServiceWorkerControls(page)
    await page.getByRole('heading', { name: 'New recording' }).waitFor()

    await page.getByLabel('Patient reference (optional)').fill(patientRef)
    await page.getByRole('button', { name: 'Start recording' }).click()
    await page.getByText('Recording', { exact: true }).waitFor()
    await page.waitForTimeout(8_000)

    // A slow uplink (16 KB/s) so the upload is still on the wire when the network goes.
    b.proxy.uplink = 16 * 1024
    await page.getByRole('button', { name: 'Stop and save' }).click()
    const progress = page.getByRole('progressbar', { name: /Upload of the recording/ })
    await expect
      .poll(() => progress.evaluate((p) => (p as HTMLProgressElement).value), { timeout: 20_000 })
      .toBeGreaterThan(0)
    // The network drops for the whole browser (service worker included: its Background Sync
    // must fail too): open connections die mid-upload, and the page knows it is offline.
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    await cdp.send('Network.emulateNetworkConditions', {
      offline: true,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    })
    b.proxy.down = true
    b.proxy.drop()
    await screenshot(page, 'offline-uploading')

    await page.reload()
    await page.getByRole('heading', { name: 'New recording' }).waitFor()
    expect(await page.evaluate(() => navigator.onLine)).toBe(false)
    await page.getByText('1 recording waiting for the network').waitFor()
    await page.getByText('waiting for the network', { exact: true }).waitFor()
    await screenshot(page, 'offline-waiting')
    await page.waitForTimeout(3_000)
    const before = await recordingsFor(s, token, patientRef)
    expect(before.length, 'nothing acknowledged while offline').toBe(0)

    b.proxy.uplink = null
    b.proxy.down = false
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    })
    await expect
      .poll(() => page.getByRole('heading', { name: 'On this device' }).count(), {
        timeout: 60_000,
      })
      .toBe(0)

    await page.getByRole('link', { name: 'Notes' }).click()
    await page.getByRole('link', { name: new RegExp(patientRef) }).waitFor({ timeout: 180_000 })
    const after = await recordingsFor(s, token, patientRef)
    expect(after, 'one recording on the server, not two').toHaveLength(1)
    expect(after[0]!.status).toBe('done')
    expect(posts.length, 'the upload was attempted again after the reload').toBeGreaterThanOrEqual(
      2
    )
    await context.close()
  })
})
