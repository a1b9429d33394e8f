import { stateVolume } from '../../ops/lib/target-state.ts'
import { defineDrill } from '../lib/drill.ts'
import { expectCleanStop, ops, removeDir, scratchDir } from '../lib/operator.ts'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'

let dir = ''
// The deploy's lock and history live in this volume, made by its first run: a drill's made it.
let madeStateVolume = false

export default defineDrill({
  name: 'deploy-low-disk',
  title: 'operator fault: a deploy started with too little disk',
  hypothesis:
    'make deploy on a target with less free disk than a release needs stops in its preflight, before any image is sent or container started, says in one line how much is free and what is needed, exits non-zero, and leaves the live release serving.',
  fault:
    "make deploy --version <live image, new tag> with --min-free-mb set above the target's free space (filling a real disk on a shared host is not done)",
  workload: false,
  recoverWithinMs: 30_000,
  async method(ctx) {
    const { target } = ctx
    const api = target.container('api')
    const image = await target.docker('inspect', '-f', '{{.Config.Image}}', api)
    // A version that is not live, so the deploy would go ahead were the disk large enough.
    const version = `chaos-low-disk`
    await target.docker('tag', image, `medic-scribe/api:${version}`)
    madeStateVolume = !(await target
      .docker('volume', 'inspect', stateVolume(target.info.projectName))
      .then(
        () => true,
        () => false
      ))
    dir = await scratchDir('deploy-low-disk')
    const envFile = join(dir, 'env')
    const { env, projectName } = target.info
    await writeFile(
      envFile,
      [
        `COMPOSE_PROJECT_NAME=${projectName}`,
        `SCRIBE_TAG=${env.SCRIBE_TAG ?? 'local'}`,
        `HTTP_PORT=${env.HTTP_PORT}`,
        `HTTPS_PORT=${env.HTTPS_PORT}`,
        `POSTGRES_PASSWORD=${env.POSTGRES_PASSWORD}`,
        `JWT_SECRET=${env.JWT_SECRET}`,
        '',
      ].join('\n'),
      { mode: 0o600 }
    )
    ctx.faultIn(`make deploy --version ${version} --min-free-mb 100000000`)
    await expectCleanStop(
      ctx,
      () =>
        ops(
          'deploy.ts',
          [
            '--version',
            version,
            '--project',
            projectName,
            '--env-file',
            envFile,
            '--min-free-mb',
            '100000000',
          ],
          {}
        ),
      /the target has \d+ MB free, less than --min-free-mb 100000000/
    )
    const apis = await target.docker(
      'ps',
      '-a',
      '--filter',
      `label=com.docker.compose.project=${projectName}`,
      '--filter',
      'label=com.docker.compose.service=api',
      '--format',
      '{{.Names}}'
    )
    ctx.expect('no second api container was started', apis.split('\n').length === 1, apis)
  },
  rollbacks: [
    {
      name: 'remove the drill tag, env file and the deploy state volume it made',
      run: async ({ target }) => {
        await target.docker('rmi', 'medic-scribe/api:chaos-low-disk').catch(() => '')
        if (madeStateVolume)
          await target.docker('volume', 'rm', stateVolume(target.info.projectName)).catch(() => '')
        await removeDir(dir)
      },
    },
  ],
})
