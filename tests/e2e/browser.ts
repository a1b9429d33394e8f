// Debian's Chromium, driven by playwright-core, for the PWA's end-to-end tests. The browser
// trusts the stack's local CA through its own NSS database (no certificate errors are ignored),
// so the service worker registers and the app runs exactly as on a clinician's device, and it
// hears a synthesised consultation through Chromium's fake microphone.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { chromium } from 'playwright-core'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { fromRoot } from '../../ops/lib/paths.ts'
import type { StackInfo } from '../stack/stack.ts'

const exec = promisify(execFile)
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export const PHONE = { width: 390, height: 844 }
export const DESKTOP = { width: 1280, height: 800 }

/** Where screenshots go; the tests print it so a reviewer can look. */
export const SCREENSHOTS_DIR = fromRoot('test-results', 'screenshots')

// What a probe of these machines found necessary: without the background-networking flags,
// Chromium keeps trying Google's hosts on a network that refuses them.
const QUIET_FLAGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
]

export type Browsing = {
  browser: Browser
  home: string
  /** A new profile-less context at `viewport`, with the microphone and sync allowed. */
  newContext: (viewport?: { width: number; height: number }) => Promise<BrowserContext>
  close: () => Promise<void>
}

/** A HOME whose NSS database trusts `caCert`, the one place Chromium on Linux reads roots from. */
async function homeTrusting(caCert: string): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'scribe-chromium-'))
  const nss = join(home, '.pki', 'nssdb')
  await mkdir(nss, { recursive: true })
  await exec('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password'])
  await exec('certutil', [
    '-A',
    '-d',
    `sql:${nss}`,
    '-n',
    'medic-scribe-local-ca',
    '-t',
    'C,,',
    '-i',
    caCert,
  ])
  return home
}

export async function launchBrowser(
  stack: StackInfo,
  opts: { fakeAudio?: Uint8Array; proxyPort?: number } = {}
): Promise<Browsing> {
  const home = await homeTrusting(stack.caCert)
  const args = [
    ...QUIET_FLAGS,
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
  ]
  if (opts.fakeAudio) {
    const wav = join(home, 'consultation.wav')
    await writeFile(wav, opts.fakeAudio)
    args.push(`--use-file-for-fake-audio-capture=${wav}`)
  }
  // `<-loopback>` makes Chromium send even localhost through the proxy.
  if (opts.proxyPort)
    args.push(
      `--proxy-server=http://127.0.0.1:${opts.proxyPort}`,
      '--proxy-bypass-list=<-loopback>'
    )
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container has no user namespace for the sandbox.
    chromiumSandbox: process.getuid?.() !== 0,
    args,
    env: { ...process.env, HOME: home },
  })
  const origin = `https://localhost:${stack.httpsPort}`
  return {
    browser,
    home,
    newContext: async (viewport = DESKTOP) => {
      const context = await browser.newContext({
        viewport,
        deviceScaleFactor: viewport.width < 600 ? 2 : 1,
        isMobile: viewport.width < 600,
        hasTouch: viewport.width < 600,
      })
      // What Chromium grants a site by default (Background Sync) or after a click (microphone).
      await context.grantPermissions(['microphone', 'background-sync'], { origin })
      return context
    },
    close: async () => {
      await browser.close()
      await rm(home, { recursive: true, force: true })
    },
  }
}

/**
 * Chromium with a profile on disk: its default context is not incognito (installability is
 * judged only there) and is the one a DevTools client such as Lighthouse opens its tabs in.
 */
export async function launchPersistent(
  stack: StackInfo,
  opts: { debuggingPort?: number } = {}
): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const home = await homeTrusting(stack.caCert)
  const args = [...QUIET_FLAGS]
  if (opts.debuggingPort) args.push(`--remote-debugging-port=${opts.debuggingPort}`)
  const context = await chromium.launchPersistentContext(join(home, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: process.getuid?.() !== 0,
    args,
    env: { ...process.env, HOME: home },
  })
  return {
    context,
    close: async () => {
      await context.close()
      await rm(home, { recursive: true, force: true })
    },
  }
}

/** Saves a full-page screenshot named `<name>-<phone|desktop>.png` and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS_DIR, { recursive: true })
  const size = (page.viewportSize()?.width ?? DESKTOP.width) < 600 ? 'phone' : 'desktop'
  const path = join(SCREENSHOTS_DIR, `${name}-${size}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}

/** Puts a session in the page's storage the way the sign-in form does, before the app loads. */
export async function signedInContext(
  browsing: Browsing,
  stack: StackInfo,
  token: string,
  viewport = DESKTOP
): Promise<BrowserContext> {
  const context = await browsing.newContext(viewport)
  const session = { token, expiresAt: Date.now() + 3_600_000, email: stack.email }
  await context.addInitScript((s) => {
    if (!localStorage.getItem('medic-scribe.session'))
      localStorage.setItem('medic-scribe.session', s)
  }, JSON.stringify(session))
  return context
}
