// The same app, served by api/src/deno.ts under Deno (from npm), end to end: sign in, listen on
// the socket, upload real audio, get the note.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { consultationWav } from '../support/audio.ts'
import { startFakeSttServer } from '../support/fake-stt-server.ts'
import type { FakeSttServer } from '../support/fake-stt-server.ts'
import { createUser, startApi } from '../support/api-process.ts'
import type { ApiProcess } from '../support/api-process.ts'

const EMAIL = 'deno@example.org'
const PASSWORD = 'correct-horse-battery-staple'

type ScribeEvent = { type: string; recording_id?: string; note_id?: string | null; status?: string }

describe('Deno entry', () => {
  let dataDir: string
  let stt: FakeSttServer
  let api: ApiProcess | undefined
  let ws: WebSocket | undefined

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'scribe-deno-'))
    stt = await startFakeSttServer({ delayMs: 200 })
    await createUser(dataDir, EMAIL, PASSWORD)
    api = await startApi({ dataDir, sttBaseUrl: stt.baseUrl, runtime: 'deno', label: 'deno' })
  })

  afterAll(async () => {
    ws?.terminate()
    await api?.kill('SIGKILL')
    await stt?.close()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('runs under Deno and says so', async () => {
    const listening = await api!.waitFor((l) => l.msg === 'listening', 5_000, "'listening'")
    expect(String(listening.runtime)).toMatch(/^deno 2\./)
    const live = await fetch(`${api!.baseUrl}/health/live`)
    expect(live.status).toBe(200)
    expect(await live.json()).toMatchObject({ status: 'ok', version: expect.any(String) })
  })

  it('login → socket → upload → note.ready → GET the soap.v1 note', async () => {
    const p = api!
    const token = await p.login(EMAIL, PASSWORD)
    const events: ScribeEvent[] = []
    let onEvent: (() => void) | undefined
    ws = new WebSocket(`${p.baseUrl.replace('http', 'ws')}/ws?access_token=${token}`)
    ws.on('message', (data) => {
      events.push(JSON.parse(String(data)) as ScribeEvent)
      onEvent?.()
    })
    const next = (pred: (e: ScribeEvent) => boolean, timeoutMs: number, what: string) =>
      new Promise<ScribeEvent>((resolve, reject) => {
        const check = () => {
          const hit = events.find(pred)
          if (hit) {
            clearTimeout(timer)
            resolve(hit)
          }
        }
        const timer = setTimeout(
          () =>
            reject(new Error(`no ${what} within ${timeoutMs} ms; got ${JSON.stringify(events)}`)),
          timeoutMs
        )
        onEvent = check
        check()
      })
    await next((e) => e.type === 'hello', 10_000, 'hello')

    const res = await p.upload(token, await consultationWav())
    expect(res.status).toBe(202)
    const { id } = (await res.json()) as { id: string }

    const ready = await next(
      (e) => e.type === 'note.ready' && e.recording_id === id,
      60_000,
      'note.ready'
    )
    expect(ready.status).toBe('done')
    expect(ready.note_id).toBeTruthy()
    // The socket saw the whole pipeline, in order.
    expect(events.filter((e) => e.recording_id === id).map((e) => e.type)).toEqual([
      'recording.queued',
      'recording.transcribing',
      'recording.transcribed',
      'note.ready',
    ])

    const note = await p.getJson<{
      id: string
      recording_id: string
      schema_version: string
      status: string
      sections: Record<string, { items: unknown[] }>
    }>(token, `/api/notes/${ready.note_id}`)
    expect(note.id).toBe(ready.note_id)
    expect(note.schema_version).toBe('soap.v1')
    expect(note.recording_id).toBe(id)
    expect(note.status).toBe('ok')
    expect(Object.keys(note.sections).sort()).toEqual([
      'assessment',
      'objective',
      'plan',
      'subjective',
    ])
    expect(stt.answered).toBe(1)
    expect(stt.log[0]).toMatchObject({ model: 'whisper-1', responseFormat: 'verbose_json' })
    expect(p.stderr.join('\n')).not.toMatch(/not implemented|unsupported|TypeError|ReferenceError/i)
  })

  it('shuts down cleanly on SIGTERM', async () => {
    ws?.terminate()
    const exit = await api!.stop(15_000)
    expect(exit).toEqual({ code: 0, signal: null, forced: false })
  })
})
