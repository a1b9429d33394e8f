// Crash recovery, for real: the API runs as a child process on one DATA_DIR and is killed with
// SIGKILL at several points of the pipeline, then restarted. Whatever was acknowledged (202)
// must end as exactly one note; whatever was not must leave nothing behind.
import { request as httpRequest } from 'node:http'
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { consultationWav } from '../support/audio.ts'
import { startFakeSttServer } from '../support/fake-stt-server.ts'
import type { FakeSttServer } from '../support/fake-stt-server.ts'
import { createUser, sleep, startApi } from '../support/api-process.ts'
import type { ApiProcess } from '../support/api-process.ts'

const EMAIL = 'crash@example.org'
const PASSWORD = 'correct-horse-battery-staple'

type RecordingBody = { id: string; status: string; note_id: string | null; reason: string | null }
type NoteItem = { id: string; recording_id: string; version: number; status: string }
type Acked = { id: string; filename: string; phase: string }
type KillRow = { point: string; trigger: string; observed: string }

const list = (dir: string) => readdir(dir).catch(() => [] as string[])

describe('crash recovery (SIGKILL)', () => {
  let dataDir: string
  let stt: FakeSttServer
  let wav: Uint8Array
  let api: ApiProcess | undefined
  const acked: Acked[] = []
  const kills: KillRow[] = []
  // The default lease (300 s): interrupted jobs must come back through the worker registry
  // (a restarted API takes back its own jobs at start), not by waiting for the lease.
  const env = { WORKER_CONCURRENCY: '2', JOB_LEASE_SECONDS: '300' }
  const RESUME_LIMIT_MS = 30_000
  const resumes: { point: string; ms: number }[] = []

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'scribe-crash-'))
    stt = await startFakeSttServer()
    const [created, audio] = await Promise.all([
      createUser(dataDir, EMAIL, PASSWORD),
      consultationWav(),
    ])
    expect(created).toContain('created account')
    wav = audio
  })

  afterAll(async () => {
    await api?.kill('SIGKILL')
    await stt?.close()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  const start = (label: string, extra: Record<string, string> = {}) =>
    startApi({ dataDir, sttBaseUrl: stt.baseUrl, env: { ...env, ...extra }, label })

  /** Uploads one recording per name, in parallel; every one must be acknowledged. */
  async function uploadBatch(p: ApiProcess, token: string, phase: string, names: string[]) {
    const results = await Promise.all(
      names.map(async (name) => {
        const filename = `${name}.wav`
        const res = await p.upload(token, wav, {}, { filename })
        expect(res.status, `upload ${name}`).toBe(202)
        const { id } = (await res.json()) as { id: string }
        return { id, filename, phase }
      })
    )
    acked.push(...results)
    return results
  }

  const sttCalls = (filename: string) => stt.log.filter((r) => r.file?.filename === filename).length
  const nameOf = (id: string) => acked.find((a) => a.id === id)?.filename.replace('.wav', '') ?? id
  const statuses = async (p: ApiProcess, token: string) => {
    const { items } = await p.getJson<{ items: RecordingBody[] }>(
      token,
      '/api/recordings?limit=200'
    )
    return items
  }
  const summary = (items: RecordingBody[]) =>
    items
      .map((r) => `${nameOf(r.id)}=${r.status}`)
      .sort()
      .join(' ')

  it('every acknowledged recording completes exactly once after SIGKILL', async () => {
    // (a) Uploads acknowledged, nothing transcribed yet. The worker is off (0 slots) so the
    // kill lands before any transcription for certain, not by luck of timing.
    api = await start('a', { WORKER_CONCURRENCY: '0' })
    let token = await api.login(EMAIL, PASSWORD)
    await uploadBatch(api, token, 'a', ['a1', 'a2', 'a3'])
    const beforeA = summary(await statuses(api, token))
    expect(stt.requests).toBe(0)
    await api.kill('SIGKILL')
    kills.push({
      point: '(a) after 202s, before STT',
      trigger: '3 uploads answered 202 (worker slots: 0)',
      observed: `${beforeA}; STT requests so far: ${stt.requests}`,
    })

    // (b) While the speech-to-text requests are in flight: the fake holds them until the kill.
    stt.delayMs = 120_000
    api = await start('b')
    token = await api.login(EMAIL, PASSWORD)
    await uploadBatch(api, token, 'b', ['b1', 'b2'])
    await stt.whenRequests(2)
    const held = stt.log.map((r) => r.file?.filename.replace('.wav', '')).join(',')
    const beforeB = summary(await statuses(api, token))
    const inFlightAtB = stt.inFlight
    await api.kill('SIGKILL')
    const killedB = Date.now()
    expect(inFlightAtB).toBe(2)
    kills.push({
      point: '(b) STT request in flight',
      trigger: `fake STT held ${inFlightAtB} requests (${held})`,
      observed: beforeB,
    })
    const inFlightB = stt.log.map((r) => r.file!.filename)
    await until(() => stt.abandoned >= 2, 5_000, 'the fake STT to see the held calls dropped')

    // (c) Between transcription and note. There is no log line for it; the socket event
    // `recording.transcribed` is published in the transaction that saves the transcript, and
    // the note files are written before the note is committed. So: kill on that event, and
    // count it a hit only if no note file exists yet for that recording.
    stt.delayMs = 1_000
    let hit: { id: string; calls: number; killedAt: number } | undefined
    for (let attempt = 1; attempt <= 3 && !hit; attempt++) {
      api = await start(`c${attempt}`)
      token = await api.login(EMAIL, PASSWORD)
      if (attempt === 1) {
        // The calls held at (b) are sent again by the restarted API, long before a 300 s lease.
        const again = await until(
          () => {
            const redone = inFlightB.map((f) =>
              stt.log.find((r) => r.file?.filename === f && r.receivedAt > killedB)
            )
            return redone.every(Boolean) ? Math.max(...redone.map((r) => r!.receivedAt)) : false
          },
          RESUME_LIMIT_MS,
          'the interrupted STT calls to be sent again'
        )
        resumes.push({ point: '(b) STT in flight', ms: again - killedB })
      }
      const p = api
      const transcribed = await new Promise<string>((resolve, reject) => {
        const ws = new WebSocket(`${p.baseUrl.replace('http', 'ws')}/ws?access_token=${token}`)
        const timer = setTimeout(() => reject(new Error('no recording.transcribed event')), 30_000)
        ws.on('error', () => {})
        ws.on('message', (data) => {
          const event = JSON.parse(String(data)) as { type: string; recording_id?: string }
          if (event.type === 'recording.transcribed' && event.recording_id) {
            clearTimeout(timer)
            void p.kill('SIGKILL')
            resolve(event.recording_id)
          }
        })
      })
      await api.exited
      const killedAt = Date.now()
      const noteFiles = await list(join(dataDir, 'notes', transcribed))
      const calls = sttCalls(`${nameOf(transcribed)}.wav`)
      kills.push({
        point: `(c) transcript saved, no note (try ${attempt})`,
        trigger: `socket event recording.transcribed for ${nameOf(transcribed)}`,
        observed:
          noteFiles.length === 0
            ? `hit: no note file yet for ${nameOf(transcribed)}; its STT calls: ${calls}`
            : `missed: note files already written (${noteFiles.join(',')})`,
      })
      if (noteFiles.length === 0) hit = { id: transcribed, calls, killedAt }
    }
    expect(hit, 'could not kill between transcript and note in 3 tries').toBeDefined()

    // (d) During an upload stream: never acknowledged, so it may be lost, but it must leave
    // no row and, after the restart, no temporary file.
    stt.delayMs = 300
    api = await start('d')
    token = await api.login(EMAIL, PASSWORD)
    const d = api
    await until(
      async () =>
        (await d.getJson<RecordingBody>(token, `/api/recordings/${hit!.id}`)).status === 'done',
      RESUME_LIMIT_MS,
      'the recording killed between transcript and note to be done'
    )
    resumes.push({ point: '(c) transcript saved, no note', ms: Date.now() - hit!.killedAt })
    const tmpAudio = join(dataDir, 'audio', '.tmp')
    const upload = startStreamingUpload(api.port, token, wav)
    const part = await until(
      async () => {
        for (const name of await list(tmpAudio)) {
          const s = await stat(join(tmpAudio, name)).catch(() => undefined)
          if (name.endsWith('.part') && s && s.size > 0) return name
        }
        return undefined
      },
      15_000,
      'a temporary upload file'
    )
    const beforeD = summary(await statuses(api, token))
    await api.kill('SIGKILL')
    const outcome = await upload.outcome
    expect(outcome).not.toBe(202)
    const leftAfterKill = await list(tmpAudio)
    expect(leftAfterKill).toContain(part)
    kills.push({
      point: '(d) during an upload stream',
      trigger: `temp file ${part.slice(0, 8)}… had ${upload.sent()} bytes sent of ${upload.total}`,
      observed: `client saw: ${outcome}; after kill .tmp held ${leftAfterKill.length} file(s); ${beforeD}`,
    })

    // Final restart: everything acknowledged must finish.
    api = await start('final')
    token = await api.login(EMAIL, PASSWORD)
    // The start-up sweep removed the interrupted upload's temporary file. (notes/.tmp is not
    // checked here: the worker may already be writing a note through it.)
    expect(await list(tmpAudio)).toEqual([])
    const final = await until(
      async () => {
        const items = await statuses(api!, token)
        return items.length >= acked.length && items.every((r) => r.status === 'done')
          ? items
          : undefined
      },
      60_000,
      'every acknowledged recording to be done'
    )

    // Exactly the acknowledged recordings exist: the interrupted upload left no row.
    expect(final.map((r) => r.id).sort()).toEqual(acked.map((a) => a.id).sort())

    // One note per recording, listed once, and the recording points at it.
    const { items: notes } = await api.getJson<{ items: NoteItem[] }>(token, '/api/notes?limit=100')
    expect(notes).toHaveLength(acked.length)
    for (const a of acked) {
      const mine = notes.filter((n) => n.recording_id === a.id)
      expect(mine, `notes of ${a.filename}`).toHaveLength(1)
      const rec = await api.getJson<RecordingBody>(token, `/api/recordings/${a.id}`)
      expect(rec.status).toBe('done')
      expect(rec.note_id).toBe(mine[0]!.id)
    }

    // On disk: no temporary file left; each recording's committed note has its JSON and Markdown
    // files (named after the note id). A killed attempt may leave an uncommitted pair beside it,
    // never referenced, never more than one per interrupted attempt.
    expect(await list(tmpAudio)).toEqual([])
    expect(await list(join(dataDir, 'notes', '.tmp'))).toEqual([])
    const noteDirs = (await list(join(dataDir, 'notes'))).filter((n) => n !== '.tmp')
    expect(noteDirs.sort()).toEqual(acked.map((a) => a.id).sort())
    for (const a of acked) {
      const noteId = notes.find((n) => n.recording_id === a.id)!.id
      const inFolder = await list(join(dataDir, 'notes', a.id))
      expect(inFolder).toContain(`${noteId}.v1.json`)
      expect(inFolder).toContain(`${noteId}.v1.md`)
      expect(inFolder.filter((f) => f.endsWith('.v1.json')).length).toBeLessThanOrEqual(
        sttCalls(a.filename)
      )
    }
    const audioFiles: string[] = []
    for (const d of (await list(join(dataDir, 'audio'))).filter((n) => n !== '.tmp')) {
      audioFiles.push(...(await list(join(dataDir, 'audio', d))))
    }
    expect(audioFiles).toHaveLength(acked.length)

    // The work killed in flight was redone, not skipped; the saved transcript was not.
    expect(stt.requests).toBeGreaterThan(acked.length)
    for (const f of inFlightB) expect(sttCalls(f), `STT calls for ${f}`).toBeGreaterThanOrEqual(2)
    expect(sttCalls(`${nameOf(hit!.id)}.wav`), 'a saved transcript is not redone').toBe(hit!.calls)

    for (const r of resumes) expect(r.ms, r.point).toBeLessThan(RESUME_LIMIT_MS)
    const retried = api.logs.filter((l) => l.msg === 'job will be retried').length
    console.log(
      [
        '',
        'SIGKILL points (one DATA_DIR, restarted after each):',
        ...kills.map((k) => `  ${k.point.padEnd(40)} | ${k.trigger.padEnd(46)} | ${k.observed}`),
        '',
        `Resumed after kill + restart (JOB_LEASE_SECONDS=${env.JOB_LEASE_SECONDS}, limit ${RESUME_LIMIT_MS / 1000} s):`,
        ...resumes.map((r) => `  ${r.point.padEnd(40)} ${(r.ms / 1000).toFixed(1)} s`),
        '',
        'Per acknowledged recording after the final restart:',
        ...acked.map((a) => {
          const note = notes.find((n) => n.recording_id === a.id)
          return `  ${a.filename.padEnd(7)} uploaded in (${a.phase})  STT calls: ${sttCalls(a.filename)}  status: done  note: ${note?.id}`
        }),
        `  acknowledged: ${acked.length}, notes: ${notes.length}, note folders: ${noteDirs.length}, ` +
          `STT requests: ${stt.requests} (answered ${stt.answered}, dropped by kills ${stt.abandoned}), ` +
          `'job will be retried' in the final run: ${retried}`,
        '',
      ].join('\n')
    )
  })
})

/** Polls `fn` until it returns something other than undefined/false. */
async function until<T>(
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  what: string
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v !== undefined && v !== false) return v
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(50)
  }
}

/**
 * A multipart upload sent slowly with chunked encoding: the first half of the audio goes at
 * once, the rest never does, so the API is mid-stream for as long as the test wants.
 */
function startStreamingUpload(port: number, token: string, wav: Uint8Array) {
  const boundary = `----crash${Date.now()}`
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="audio"; filename="partial.wav"\r\n` +
      `Content-Type: audio/wav\r\n\r\n`
  )
  const half = Buffer.from(wav.subarray(0, Math.floor(wav.length / 2)))
  let sent = 0
  const req = httpRequest({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/api/recordings',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'transfer-encoding': 'chunked',
    },
  })
  const outcome = new Promise<number | string>((resolve) => {
    req.on('response', (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
  })
  req.write(head)
  req.write(half, () => (sent = head.length + half.length))
  return { outcome, sent: () => sent, total: head.length + wav.length }
}
