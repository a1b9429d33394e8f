// `make deploy` while uploads arrive: the new api starts beside the old one, the edge switches,
// the old one drains. Every upload acknowledged before, during and after the switch must end as
// exactly one note (the suite's verification), and the deploy itself must pass its gate.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { lockName } from '../../ops/lib/stack-lock.ts'
import { stateVolume } from '../../ops/lib/target-state.ts'
import { defineDrill } from '../lib/drill.ts'
import { apiNamedAsExpected, ops, removeDir, scratchDir } from '../lib/operator.ts'

let dir = ''
const release = `chaos-burst-${Date.now().toString(36)}`

export default defineDrill({
  name: 'deploy-during-burst',
  title: 'make deploy during a burst of uploads',
  hypothesis:
    'A deploy started while uploads arrive goes live (the new api healthy, the edge switched, the old one drained), and every recording acknowledged before, during and after the switch ends as exactly one note; a refused upload is refused cleanly and retried by the client.',
  fault:
    'make deploy --version <live image, new tag> --overlay compose.chaos.yml while the workload uploads about one recording a second',
  needs: ['chaos-overlay'],
  recoverWithinMs: 60_000,
  async method({ target, expect, note, faultIn }) {
    const { env, projectName } = target.info
    const image = await target.docker('inspect', '-f', '{{.Config.Image}}', target.container('api'))
    await target.docker('tag', image, `medic-scribe/api:${release}`)
    dir = await scratchDir('deploy-burst')
    const envFile = join(dir, 'env')
    const lines = Object.entries(env).map(([k, v]) => `${k}=${v}`)
    await writeFile(envFile, `${lines.join('\n')}\n`, { mode: 0o600 })
    faultIn(`make deploy --version ${release}`)
    const deploy = await ops(
      'deploy.ts',
      [
        ...['--version', release, '--project', projectName, '--env-file', envFile],
        ...['--overlay', 'compose.chaos.yml', '--watch', '5', '--health-timeout', '90'],
        ...['--drain', '5'],
      ],
      {}
    )
    note(`make deploy: ${deploy.out.trim().split('\n').at(-1)}`)
    expect('the deploy goes live during the burst', deploy.code === 0, `exit ${deploy.code}`)
    const live = await target.docker(
      ...['ps', '--filter', `label=com.docker.compose.project=${projectName}`],
      ...['--filter', 'label=com.docker.compose.service=api', '--format', '{{.Image}}']
    )
    expect(
      'one api runs afterwards, the new release',
      live.trim() === `medic-scribe/api:${release}`,
      live.trim().replace(/\n/g, ', ')
    )
  },
  rollbacks: [
    apiNamedAsExpected,
    {
      name: 'remove the lock, the deploy history and the drill files (the release tag stays live)',
      run: async ({ target }) => {
        const quiet = (...args: string[]) => target.docker(...args).catch(() => '')
        await quiet('rm', '-f', lockName(target.info.projectName))
        await quiet('volume', 'rm', stateVolume(target.info.projectName))
        await removeDir(dir)
      },
    },
  ],
})
