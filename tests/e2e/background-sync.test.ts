// A recording stopped while the network is down, and the tab closed before it comes back: the
// service worker, woken by Background Sync, uploads it with no page of the app open.
import { randomBytes } from 'node:crypto'
import { describe, expect, inject, it } from 'vitest'
import { connect, until } from '../stack/stack.ts'
import { DESKTOP, signedInContext } from './browser.ts'
import { useBrowserBehindProxy, recordingsFor, untilServiceWorkerControls } from './e2e.ts'

const stack = inject('stack')
const SYNC_TAG = 'medic-scribe-upload'

type Registration = { registrationId: string; scopeURL: string; isDeleted: boolean }

describe.skipIf(!stack)('e2e: Background Sync uploads after the tab is closed', () => {
  const s = connect(stack!)
  const patientRef = `BGSYNC-${randomBytes(3).toString('hex')}`
  const b = useBrowserBehindProxy(stack!)

  it('should upload a recording left waiting by a closed tab once the sync runs', async () => {
    const token = await s.login()
    const context = await signedInContext(b.browsing, stack!, token, DESKTOP)
    const page = await context.newPage()
    await page.goto(s.base)
    await page.getByRole('heading', { name: 'New recording' }).waitFor()
    await untilServiceWorkerControls(page)
    await page.getByRole('heading', { name: 'New recording' }).waitFor()

    await page.getByLabel('Patient reference (optional)').fill(patientRef)
    await page.getByRole('button', { name: 'Start recording' }).click()
    await page.getByText('Recording', { exact: true }).waitFor()
    await page.waitForTimeout(5_000)
    b.proxy.down = true
    b.proxy.drop()
    await page.getByRole('button', { name: 'Stop and save' }).click()
    await page
      .getByText(/retrying|waiting for the network/)
      .first()
      .waitFor({ timeout: 30_000 })
    // The page asked for a sync; the browser keeps it registered while it cannot succeed.
    await expect
      .poll(
        () =>
          page.evaluate(async () => {
            const reg = (await navigator.serviceWorker.ready) as ServiceWorkerRegistration & {
              sync: { getTags(): Promise<string[]> }
            }
            return reg.sync.getTags()
          }),
        { timeout: 20_000 }
      )
      .toContain(SYNC_TAG)
    await page.close() // the clinician closes the tab; the recording is still on the device

    b.proxy.down = false
    expect(
      await recordingsFor(s, token, patientRef),
      'nothing reached the server before the sync'
    ).toEqual([])
    // No page of the app is open: a blank tab only lends a DevTools session to fire the sync
    // now, rather than after the browser's own retry delay (minutes).
    const blank = await context.newPage()
    const cdp = await context.newCDPSession(blank)
    const registrations: Registration[] = []
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: Registration[] }) =>
      registrations.push(...e.registrations)
    )
    await cdp.send('ServiceWorker.enable')
    const reg = await until('the service worker registration', async () =>
      registrations.find((r) => r.scopeURL === `${s.base}/` && !r.isDeleted)
    )
    expect(context.pages().map((p) => p.url())).toEqual(['about:blank'])
    await cdp.send('ServiceWorker.dispatchSyncEvent', {
      origin: s.base,
      registrationId: reg.registrationId,
      tag: SYNC_TAG,
      lastChance: false,
    })

    const rows = await until('the recording on the server', async () => {
      const r = await recordingsFor(s, token, patientRef)
      return r.length > 0 && r
    })
    expect(rows).toHaveLength(1)
    await s.settled(token, rows[0]!.id, 'its note')

    // Back in the app: nothing waits on the device any more, and the note is listed.
    const again = await context.newPage()
    await again.goto(s.base)
    await again.getByRole('heading', { name: 'New recording' }).waitFor()
    await again.getByRole('button', { name: 'Start recording' }).waitFor()
    expect(await again.getByRole('heading', { name: 'On this device' }).count()).toBe(0)
    await again.getByRole('link', { name: 'Notes' }).click()
    await again.getByRole('link', { name: new RegExp(patientRef) }).waitFor({ timeout: 60_000 })
    expect(await recordingsFor(s, token, patientRef)).toHaveLength(1)
    await context.close()
  })
})
