// make tls-grade as a pipeline: testssl.sh's image (built on first use), the running edge,
// testssl.sh against it from a container on the stack's network, the JSON read and printed.
import { echo, fs } from 'zx'
import { $ } from 'zx'
import { ensureCachedImage } from '../../lib/cached-image.ts'
import { createContext } from '../../lib/context.ts'
import type { OpsContext } from '../../lib/context.ts'
import { formatMB } from '../../lib/docker.ts'
import { StopError } from '../../lib/errors.ts'
import { defineStep, runPipeline } from '../../lib/pipeline.ts'
import type { Pipeline } from '../../lib/pipeline.ts'
import { findEdge } from '../../lib/stack-edge.ts'
import type { StackEdge } from '../../lib/stack-edge.ts'
import { detail } from '../../lib/step.ts'
import { GRADE_CHECKS, parseTestssl } from '../../lib/testssl.ts'
import type { TlsReport } from '../../lib/testssl.ts'

export type TlsGradeContext = OpsContext & {
  project: string
  /** The name the certificate is checked against (SNI, Host): SERVER_NAME. */
  name: string
  /** A CA file trusted for the chain check (a local or private CA), or none. */
  ca?: string
  jsonOut?: string
  image?: string
  edge?: StackEdge
  report?: TlsReport
}

const CA_IN_CONTAINER = '/etc/medic-scribe/ca.pem'

const image = defineStep<TlsGradeContext>({
  name: 'testssl.sh image',
  changes: false,
  run: async (c) => {
    const built = await ensureCachedImage(c, 'testssl')
    c.image = built.ref
    return `${built.ref}, ${formatMB(built.bytes)}${built.built ? ', built now' : ''}`
  },
})

const stack = defineStep<TlsGradeContext>({
  name: 'stack',
  changes: false,
  run: async (c) => {
    c.edge = await findEdge(c.project)
    return `${c.edge.container} at ${c.edge.ip}:8443 on ${c.edge.network}`
  },
})

const testsslArgs = (c: TlsGradeContext): string[] => [
  '--quiet',
  '--color',
  '0',
  '--warnings',
  'off',
  // No DNS: the edge is named by its address on the network; the name is only for SNI and the
  // certificate check. No CAA record lookup either (it would go to the internet).
  '--nodns',
  'none',
  '--ip',
  c.edge!.ip,
  ...(c.ca ? ['--add-ca', CA_IN_CONTAINER] : []),
  ...GRADE_CHECKS,
  '--jsonfile',
  '/tmp/testssl.json',
  `https://${c.name}:8443/`,
]

const run = defineStep<TlsGradeContext>({
  name: 'testssl.sh',
  // It only reads, but it is slow (a minute or more): a dry run shows the command instead.
  changes: true,
  plan: (c) => `run testssl ${testsslArgs(c).join(' ')}`,
  run: async (c) => {
    const mounts = c.ca ? ['-v', `${c.ca}:${CA_IN_CONTAINER}:ro`] : []
    // testssl.sh's report goes to a file in the container; only the JSON comes back.
    const script =
      'testssl "$@" >/tmp/report.txt 2>&1; rc=$?; [ -s /tmp/testssl.json ] && cat /tmp/testssl.json || { tail -n 5 /tmp/report.txt >&2; exit $rc; }'
    const out = await $({
      quiet: true,
      nothrow: true,
      timeout: '15m',
    })`docker run --rm --network ${c.edge!.network} --read-only --tmpfs /tmp:size=64m,mode=1777 --cap-drop ALL --security-opt no-new-privileges:true ${mounts} --entrypoint sh ${c.image!} -c ${script} testssl ${testsslArgs(c)}`
    if (!out.ok || !out.stdout.trim())
      throw new StopError(
        `testssl.sh gave no result: ${out.stderr.trim().split('\n').at(-1) ?? `exit ${out.exitCode}`}`,
        'is the edge up (make ps)?'
      )
    if (c.jsonOut) await fs.writeFile(c.jsonOut, out.stdout)
    c.report = parseTestssl(out.stdout)
    const scan = c.report.entries.find((e) => e.id === 'scanTime')?.finding
    return `grade ${c.report.grade ?? '(none)'}${scan ? `, scan ${scan} s` : ''}`
  },
})

const offered = (r: TlsReport) =>
  Object.entries(r.protocols)
    .filter(([, on]) => on)
    .map(([p]) => p.replace('TLS1_', 'TLS 1.').replace('TLS1', 'TLS 1.0'))

/** The report: the grade the tool computed and everything that cost points, by name. */
export function printReport(r: TlsReport, ca: string | undefined): void {
  echo(
    `grade: ${r.grade ?? '(none computed)'}${r.score !== undefined ? ` (score ${r.score})` : ''}`
  )
  echo(`protocols: ${offered(r).join(', ')}`)
  echo(`cipher suites: ${r.ciphers.join(' ')}`)
  echo(`key exchange groups: ${r.curves.join(' ')}`)
  echo(
    `HSTS: ${r.hstsSeconds !== undefined ? `${Math.round(r.hstsSeconds / 86400)} days` : 'not sent'}`
  )
  if (ca)
    echo(
      `trust: the chain was checked against ${ca}, a CA public clients do not know: without it the grade is capped at T (chain of trust)`
    )
  echo(r.capReasons.length ? 'cost points:' : 'cost points: nothing')
  for (const reason of r.capReasons) echo(`  - ${reason}`)
  if (r.findings.length) echo('flagged (not in the grade):')
  for (const f of r.findings) echo(`  - ${f.id} (${f.severity}): ${f.finding}`)
}

const report = defineStep<TlsGradeContext>({
  name: 'report',
  changes: false,
  skip: (c) => (c.report ? false : 'dry run'),
  run: async (c) => {
    printReport(c.report!, c.ca)
    if (c.jsonOut) detail(`testssl.sh's JSON: ${c.jsonOut}`)
    return `grade ${c.report!.grade ?? '(none)'}`
  },
})

export const tlsGradePipeline: Pipeline<TlsGradeContext> = {
  name: 'tls-grade',
  steps: [image, stack, run, report],
}

/** testssl.sh against the edge without printing the report (the scan prints its own). */
export async function runTestssl(
  o: Omit<TlsGradeContext, keyof OpsContext | 'jsonOut'> & { dryRun: boolean }
): Promise<TlsReport | undefined> {
  const ctx: TlsGradeContext = { ...createContext({ dryRun: o.dryRun }), ...o }
  await runPipeline({ name: 'testssl', steps: [image, stack, run] }, ctx)
  return ctx.report
}

export async function runTlsGrade(
  o: Omit<TlsGradeContext, keyof OpsContext> & { dryRun: boolean }
): Promise<TlsReport | undefined> {
  const ctx: TlsGradeContext = { ...createContext({ dryRun: o.dryRun }), ...o }
  await runPipeline(tlsGradePipeline, ctx)
  return ctx.report
}
