// The certificate drill against a real ACME server (Debian's pebble on the stack's network):
// make certs issues and the edge serves it; a forced renewal reloads the edge under a steady
// stream of requests with none failing; nothing due restarts nothing; the CA gone leaves the old
// certificate serving and fails loudly; then testssl.sh grades the edge.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent, fetch } from 'undici'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { readServedCert } from '../../ops/lib/served-cert.ts'
import { parseTestssl } from '../../ops/lib/testssl.ts'
import { ops } from './ops-script.ts'
import { PEBBLE_DIRECTORY, startPebble } from './pebble.ts'
import type { StartedPebble } from './pebble.ts'
import { connect } from './stack.ts'

const stack = inject('stack')
const NAME = 'scribe.test'

describe.skipIf(!stack)('certificates (pebble drill)', { timeout: 300_000 }, () => {
  const s = stack ? connect(stack) : undefined!
  let pebble: StartedPebble
  let dir: string
  let env: Record<string, string>
  let edgeStartedAt: () => Promise<string>
  const served = () => readServedCert('127.0.0.1', stack!.httpsPort, NAME)
  const figures: string[] = []
  /** A step's own time from a script's output (`✓ certbot renew (1.9 s): …`). */
  const stepTime = (out: string, step: string) =>
    new RegExp(`✓ ${step} \\(([\\d.]+ s)\\)`).exec(out)?.[1] ?? '?'

  beforeAll(async () => {
    const edge = s.container('edge')
    const [network, edgeIp] = (
      await s.docker(
        'inspect',
        '--format',
        '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{$v.IPAddress}}{{end}}',
        edge
      )
    ).split(' ') as [string, string]
    pebble = await startPebble({ network, name: NAME, edgeIp })
    // A first issuance starts from an empty volume (a reused stack may hold an earlier drill's).
    await s.docker(
      'run',
      '--rm',
      '--user',
      '33',
      '-v',
      `${stack!.projectName}_letsencrypt:/le`,
      '--entrypoint',
      'sh',
      pebble.image.ref,
      '-c',
      'rm -rf /le/*'
    )
    dir = await mkdtemp(join(tmpdir(), 'scribe-certs-'))
    await writeFile(join(dir, 'pebble-listener.pem'), pebble.listenerCert)
    edgeStartedAt = () => s.docker('inspect', '--format', '{{.State.StartedAt}}', edge)
    // The operator's settings, as compose/.env would hold them (none of this checkout's file).
    env = {
      SCRIBE_ENV_FILE: join(dir, 'absent.env'),
      COMPOSE_PROJECT_NAME: stack!.projectName,
      SERVER_NAME: NAME,
      HTTPS_PORT: String(stack!.httpsPort),
      ACME_SERVER: PEBBLE_DIRECTORY,
      ACME_CA_BUNDLE: join(dir, 'pebble-listener.pem'),
      ACME_EMAIL: 'ops@example.org',
      METRICS_TEXTFILE_DIR: join(dir, 'metrics'),
    }
  })

  afterAll(async () => {
    if (!stack) return
    // The rest of the suite trusts the local CA: the edge goes back to its certificate.
    await s.docker('exec', s.container('edge'), 'edge-tls', '/etc/nginx/tls').catch(() => '')
    await s.docker('exec', s.container('edge'), 'nginx', '-s', 'reload').catch(() => '')
    await pebble?.container.stop().catch(() => undefined)
    if (dir) await rm(dir, { recursive: true, force: true })
    console.log(`certificate drill:\n  ${figures.join('\n  ')}`)
  })

  it('should issue with make certs and serve the pebble certificate', async () => {
    const before = await served()
    const started = performance.now()
    const run = await ops('certs.ts', [], env)
    const seconds = (performance.now() - started) / 1000
    expect(run.code, run.out).toBe(0)
    const now = await served()
    expect(now.issuer).toMatch(/pebble/i)
    expect(now.names).toContain(NAME)
    expect(now.serial).not.toBe(before.serial)
    expect(run.out).toContain(`serial ${now.serial}`)
    figures.push(
      `make certs (first issuance): ${seconds.toFixed(1)} s, of which certbot ${stepTime(run.out, 'certbot certonly')}`
    )
  })

  it('should renew when forced, reload the edge and drop no request meanwhile', async () => {
    const before = await served()
    const startedAt = await edgeStartedAt()
    const root = await pebble.root()
    const agent = new Agent({ connect: { ca: [root], servername: NAME } })
    let sent = 0
    const failures: string[] = []
    let running = true
    const load = (async () => {
      while (running) {
        const batch = ['/healthz', '/health/live'].map(async (path) => {
          sent++
          try {
            const res = await fetch(`https://localhost:${stack!.httpsPort}${path}`, {
              dispatcher: agent,
            })
            await res.arrayBuffer()
            if (res.status !== 200) failures.push(`${path} ${res.status}`)
          } catch (err) {
            failures.push(`${path} ${String((err as Error).cause ?? err)}`)
          }
        })
        await Promise.all(batch)
        await new Promise((r) => setTimeout(r, 20))
      }
    })()
    const started = performance.now()
    const run = await ops('renew-certs.ts', ['--force', '--no-random-sleep'], env)
    const seconds = (performance.now() - started) / 1000
    await new Promise((r) => setTimeout(r, 500))
    running = false
    await load
    expect(run.code, run.out).toBe(0)
    expect(run.out).toMatch(/new certificate for scribe\.test/)
    expect(run.out).toMatch(/reload edge/)
    const now = await served()
    expect(now.serial).not.toBe(before.serial)
    expect(await edgeStartedAt()).toBe(startedAt)
    expect(sent).toBeGreaterThan(20)
    expect(failures).toEqual([])
    figures.push(
      `make renew-certs --force: ${seconds.toFixed(1)} s, of which certbot ${stepTime(run.out, 'certbot renew')}, reload ${stepTime(run.out, 'reload edge')}`
    )
    figures.push(`requests through the edge during it: ${sent} sent, ${failures.length} failed`)
  })

  it('should restart nothing when nothing is due', async () => {
    const before = await served()
    const startedAt = await edgeStartedAt()
    const run = await ops('renew-certs.ts', ['--no-random-sleep'], env)
    expect(run.code, run.out).toBe(0)
    expect(run.out).toMatch(/nothing due/)
    expect(run.out).toMatch(/reload edge: skipped/)
    expect((await served()).serial).toBe(before.serial)
    expect(await edgeStartedAt()).toBe(startedAt)
    const metrics = await readFile(join(env.METRICS_TEXTFILE_DIR!, 'certificates.prom'), 'utf8')
    const notAfter = Math.floor(before.notAfter.getTime() / 1000)
    expect(metrics).toContain(
      `medic_scribe_certificate_not_after_timestamp_seconds{name="${NAME}"} ${notAfter}`
    )
  })

  // testssl.sh makes hundreds of handshakes: minutes on a loaded 2-core machine.
  it(
    'should grade the edge A+ with testssl.sh, the local CA apart',
    { timeout: 900_000 },
    async () => {
      const ca = join(dir, 'pebble-root.pem')
      await writeFile(ca, await pebble.root())
      const json = join(dir, 'testssl.json')
      const started = performance.now()
      const run = await ops('tls-grade.ts', ['--ca', ca, '--name', NAME, '--json', json], env)
      const seconds = (performance.now() - started) / 1000
      expect(run.code, run.out).toBe(0)
      const report = parseTestssl(await readFile(json, 'utf8'))
      expect(report.protocols).toEqual({
        SSLv2: false,
        SSLv3: false,
        TLS1: false,
        TLS1_1: false,
        TLS1_2: true,
        TLS1_3: true,
      })
      // Forward secret (ECDHE, or TLS 1.3) and AEAD (GCM, ChaCha20-Poly1305) only: no CBC, no RSA kx.
      expect(report.ciphers.length).toBeGreaterThan(0)
      for (const c of report.ciphers)
        expect(c).toMatch(/^(TLS_|ECDHE-).*(GCM|CHACHA20[-_]POLY1305)/)
      expect(report.curves).toContain('X25519')
      expect(report.hstsSeconds).toBeGreaterThanOrEqual(180 * 86400)
      expect(report.capReasons).toEqual([])
      expect(report.grade).toBe('A+')
      figures.push(
        `make tls-grade: ${report.grade} (score ${report.score}) in ${seconds.toFixed(0)} s`
      )
      figures.push(`flagged, not in the grade: ${report.findings.map((f) => f.id).join(', ')}`)
    }
  )

  it('should keep the old certificate and fail naming the CA when the CA is gone', async () => {
    const before = await served()
    const startedAt = await edgeStartedAt()
    await pebble.container.stop()
    const run = await ops('renew-certs.ts', ['--force', '--no-random-sleep'], env)
    expect(run.code).toBe(1)
    expect(run.out).toMatch(new RegExp(`✗ renewal failed at the CA ${PEBBLE_DIRECTORY}`))
    expect(run.out).toMatch(/keeps serving the certificate valid until/)
    expect((await served()).serial).toBe(before.serial)
    expect(await edgeStartedAt()).toBe(startedAt)
    const metrics = await readFile(join(env.METRICS_TEXTFILE_DIR!, 'certificates.prom'), 'utf8')
    expect(metrics).toMatch(/medic_scribe_certificate_renewal_last_failure_timestamp_seconds [1-9]/)
  })
})
