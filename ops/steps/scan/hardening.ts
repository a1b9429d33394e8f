// Our hardening rules on the merged compose config of each mode, and on the running containers
// as the engine sees them (drift between the files and reality shows up as a finding there).
import { $, fs } from 'zx'
import { composeArgs } from '../../lib/compose.ts'
import type { StackMode } from '../../lib/compose.ts'
import { IMAGE_NAMES, imageRef } from '../../lib/images.ts'
import type { ImageName } from '../../lib/images.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { unlessPart } from './context.ts'
import type { ScanContext } from './context.ts'
import { checkHardening } from './hardening-rules.ts'
import type { RuleContext, ServiceFacts } from './hardening-rules.ts'
import { factsFromCompose, factsFromContainer } from './service-facts.ts'
import type { ComposeConfig, ContainerInspect, ImageDefaults } from './service-facts.ts'
import { childEnv } from '../../lib/env.ts'

const q = $({ quiet: true, timeout: '1m' })

/** The image a service should run: ours at the scan's tag (the api at the live release). */
export function expectedImageFor(c: ScanContext): (service: string) => string | undefined {
  return (service) => {
    if (!(IMAGE_NAMES as readonly string[]).includes(service)) return undefined
    const tag = service === 'api' && c.env.raw.API_TAG ? c.env.raw.API_TAG : c.tag
    return imageRef(service as ImageName, tag)
  }
}

async function imageDefaults(ref: string): Promise<ImageDefaults | undefined> {
  const out = await $({ quiet: true, nothrow: true, timeout: '30s' })`docker image inspect ${ref}`
  if (!out.ok) return undefined
  const [img] = JSON.parse(out.stdout) as {
    Config: { User?: string; Healthcheck?: { Test?: string[] } }
  }[]
  const test = img?.Config.Healthcheck?.Test
  return { user: img?.Config.User ?? '', healthcheck: !!test?.length && test[0] !== 'NONE' }
}

/** Settings `docker compose config` insists on, with placeholders where none is set. */
const renderEnv = (c: ScanContext): Record<string, string> => ({
  POSTGRES_PASSWORD: 'placeholder-for-scan',
  JWT_SECRET: 'placeholder-for-scan',
  SERVER_NAME: 'scan.invalid',
  ...c.env.raw,
  SCRIBE_TAG: c.tag,
})

async function composeFacts(c: ScanContext, mode: StackMode): Promise<ServiceFacts[]> {
  const args = composeArgs(mode, {
    project: c.project,
    envFile: (await fs.pathExists(c.env.envFile)) ? c.env.envFile : null,
    extraFiles: c.composeOverride ? [c.composeOverride] : [],
  })
  const out = await $({
    quiet: true,
    timeout: '1m',
    env: childEnv(renderEnv(c)),
  })`docker ${args} config --format json`
  const config = JSON.parse(out.stdout) as ComposeConfig
  const defaults = new Map<string, ImageDefaults | undefined>()
  for (const s of Object.values(config.services))
    if (s.image && !defaults.has(s.image)) defaults.set(s.image, await imageDefaults(s.image))
  return factsFromCompose(config, (image) => defaults.get(image))
}

function record(
  c: ScanContext,
  facts: ServiceFacts[],
  ctx: RuleContext,
  source: string,
  where: string
) {
  for (const f of checkHardening(facts, ctx))
    c.findings.push({
      id: f.rule.id,
      target: `${where}:${f.service}`,
      source,
      severity: 'high',
      title: `${f.problem} (${f.rule.reason})`,
      fix: f.rule.fix,
    })
}

export const composeHardening = defineStep<ScanContext>({
  name: (c) => `compose hardening rules (${c.modes.join(', ')})`,
  changes: false,
  skip: unlessPart('compose'),
  run: async (c) => {
    const notes: string[] = []
    for (const mode of c.modes) {
      const facts = await composeFacts(c, mode)
      const before = c.findings.length
      record(
        c,
        facts,
        { mode, edgeService: 'edge', expectedImage: expectedImageFor(c) },
        'compose',
        mode
      )
      notes.push(`${mode}: ${facts.length} services, ${c.findings.length - before} failures`)
    }
    c.checked.push({
      part: 'compose',
      what: `merged config of ${c.modes.join(' and ')}${c.composeOverride ? ` + ${c.composeOverride}` : ''}`,
    })
    return notes.join('; ')
  },
})

export const containerHardening = defineStep<ScanContext>({
  name: (c) => `running containers of ${c.project}`,
  changes: false,
  skip: unlessPart('containers'),
  run: async (c) => {
    const ids = (
      await q`docker ps -q --filter ${`label=com.docker.compose.project=${c.project}`}`
    ).stdout
      .split('\n')
      .filter(Boolean)
    if (!ids.length) {
      c.warnings.push(`The stack ${c.project} is not running: its containers were not inspected.`)
      return 'none running: not inspected'
    }
    const inspected = JSON.parse((await q`docker inspect ${ids}`).stdout) as ContainerInspect[]
    const facts = inspected.map(factsFromContainer)
    const before = c.findings.length
    record(
      c,
      facts,
      { mode: c.env.STACK_MODE, edgeService: 'edge', expectedImage: expectedImageFor(c) },
      'container',
      'running'
    )
    c.checked.push({
      part: 'containers',
      what: `${facts.length} running (${facts.map((f) => f.service).join(', ')}), as ${c.env.STACK_MODE}`,
    })
    return `${facts.length} containers, ${c.findings.length - before} failures`
  },
})
