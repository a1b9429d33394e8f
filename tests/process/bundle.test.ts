// The bundle the api image runs (api/dist/node.js, built by `npm run build`) boots on its own,
// without node_modules beside it, and takes an upload to a note.
import { execFile } from 'node:child_process'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { consultationWav } from '../support/audio.ts'
import { startFakeSttServer } from '../support/fake-stt-server.ts'
import type { FakeSttServer } from '../support/fake-stt-server.ts'
import { createUser, startApi } from '../support/api-process.ts'
import type { ApiProcess } from '../support/api-process.ts'

const run = promisify(execFile)
const EMAIL = 'bundle@example.org'
const PASSWORD = 'correct-horse-battery-staple'

describe('API bundle', () => {
  let dataDir: string
  let stt: FakeSttServer
  let api: ApiProcess | undefined

  beforeAll(async () => {
    await run('npm', ['run', 'build'], { cwd: process.cwd() })
    dataDir = await mkdtemp(join(tmpdir(), 'scribe-bundle-'))
    // A copy far from node_modules, as in the image: nothing may be resolved from the repo.
    await cp('api/dist', join(dataDir, 'app'), { recursive: true })
    stt = await startFakeSttServer()
    await createUser(dataDir, EMAIL, PASSWORD)
    api = await startApi({
      dataDir,
      sttBaseUrl: stt.baseUrl,
      runtime: 'bundle',
      bundle: join(dataDir, 'app/node.js'),
      label: 'bundle',
    })
  })
  afterAll(async () => {
    await api?.kill('SIGKILL')
    await stt?.close()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('should serve an upload to a note from the bundled file', async () => {
    const p = api!
    const token = await p.login(EMAIL, PASSWORD)
    const res = await p.upload(token, await consultationWav())
    expect(res.status).toBe(202)
    const { id } = (await res.json()) as { id: string }
    const until = Date.now() + 30_000
    let status = 'queued'
    while (!['done', 'failed'].includes(status) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100))
      status = (await p.getJson<{ status: string }>(token, `/api/recordings/${id}`)).status
    }
    expect(status).toBe('done')
  })
})
