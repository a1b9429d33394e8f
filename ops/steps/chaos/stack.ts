// Which stack the drills run against: the operator's running one (--project), or a scratch
// stack with compose.chaos.yml (the fake provider, a small audio volume), started here.
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { $ } from 'zx'
import { CHAOS_STACK } from '../../../chaos/lib/stack-options.ts'
import { bundleFakeProvider } from '../../../chaos/lib/fake-provider-bundle.ts'
import { stressImage } from '../../../chaos/lib/faults.ts'
import type { StackInfo } from '../../../tests/stack/stack.ts'
import { prepareImages, startScratchStack } from '../../../tests/stack/start-stack.ts'
import { CERTS_DIR } from '../../lib/compose.ts'
import { StopError } from '../../lib/errors.ts'
import { localCertPaths } from '../../lib/local-ca.ts'
import { defineStep } from '../../lib/pipeline.ts'
import type { ChaosContext } from './context.ts'
import { childEnv, exportToChildren } from '../../lib/env.ts'

const CHAOS_EMAIL = 'chaos-drill@example.org'

export const tools = defineStep<ChaosContext>({
  name: 'drill tools',
  changes: true,
  plan: () => 'bundle the fake provider and build the stress-ng image (once)',
  run: async (c) => {
    const [bundle] = await Promise.all([
      bundleFakeProvider(),
      c.drills.some((d) => d.name === 'cpu-memory-pressure') ? stressImage() : undefined,
    ])
    return bundle
  },
})

export const scratch = defineStep<ChaosContext>({
  name: 'scratch chaos stack',
  changes: true,
  skip: (c) => (c.project ? `drilling the running stack ${c.project}` : false),
  plan: () => 'build the images and start a scratch stack with compose/compose.chaos.yml',
  run: async (c) => {
    if (c.reuse && existsSync(c.reuse)) {
      c.stack = JSON.parse(readFileSync(c.reuse, 'utf8')) as StackInfo
      return `reusing ${c.stack.projectName} (${c.reuse})`
    }
    exportToChildren({ TESTCONTAINERS_RYUK_DISABLED: 'true' })
    await prepareImages()
    const { info, down } = await startScratchStack(CHAOS_STACK)
    c.stack = info
    if (c.reuse) writeFileSync(c.reuse, JSON.stringify(info, null, 2), { mode: 0o600 })
    else c.stopStack = down
    return info.projectName
  },
})

export const existing = defineStep<ChaosContext>({
  name: 'the running stack',
  changes: true,
  skip: (c) => (c.project ? false : 'a scratch stack is used'),
  plan: (c) => `add the account ${CHAOS_EMAIL} to ${c.project} (or reset its password)`,
  run: async (c) => {
    const project = c.project!
    const api = `${project}-api-1`
    const running = await $({
      quiet: true,
      nothrow: true,
      timeout: '20s',
    })`docker inspect -f {{.State.Running}} ${api}`
    if (running.stdout.trim() !== 'true')
      throw new StopError(
        `${api} is not running`,
        'start the stack with make up, or drop --project to drill a scratch stack'
      )
    const password = randomBytes(12).toString('base64url')
    await $({
      quiet: true,
      timeout: '60s',
      env: childEnv({ USER_PASSWORD: password }),
    })`docker exec -e USER_PASSWORD ${api} node /app/user.js add ${CHAOS_EMAIL}`
    c.stack = {
      projectName: project,
      httpPort: c.env.HTTP_PORT ?? 8080,
      httpsPort: c.env.HTTPS_PORT ?? 8443,
      caCert: localCertPaths(CERTS_DIR).caCert,
      email: CHAOS_EMAIL,
      password,
      env: {},
    }
    return `${project} on https://localhost:${c.stack.httpsPort}`
  },
})

export const stopScratch = defineStep<ChaosContext>({
  name: 'remove the scratch stack',
  changes: true,
  skip: (c) => (c.stopStack ? false : c.reuse ? `kept running (${c.reuse})` : 'none started'),
  run: async (c) => {
    await c.stopStack!()
    return `${c.stack?.projectName} and its volumes removed`
  },
})
