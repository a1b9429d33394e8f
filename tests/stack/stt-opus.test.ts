import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { opusDecodeArgs } from '../../compose/stt/opus-decoder.ts'
import { imageRef } from '../../ops/lib/images.ts'

// The stt image's Opus decoder (PyAV) on real Opus files, as the PWA uploads them: Ogg from
// Firefox, WebM from Chrome/Edge, and both cut short as a recording recovered after a crash.
// One engine container of the suite's image, with the stack's limits; the stack itself is unused.
const run = promisify(execFile)
const stack = inject('stack')
const SAID = /chest pain/i
const fixture = (name: string) => readFileSync(`tests/fixtures/audio/${name}`)

/** docker with a time limit; `input` goes to its stdin. */
function docker(args: string[], input?: Uint8Array): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('docker', args, { timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`docker ${args[0]}: ${stderr || err.message}`)) : resolve(stdout)
    )
    child.stdin?.end(input ? Buffer.from(input) : undefined)
  })
}

describe.skipIf(!stack)('stt image: Opus in Ogg and WebM', () => {
  let id = ''
  let url = ''

  beforeAll(async () => {
    id = (
      await run(
        'docker',
        [
          'run',
          '-d',
          '--rm',
          '--read-only',
          '--tmpfs',
          '/tmp:size=256m',
          '--cpus',
          '1',
          '--memory',
          '1g',
          '-p',
          '127.0.0.1::8000',
          imageRef('stt'),
        ],
        { timeout: 60_000 }
      )
    ).stdout.trim()
    const port = (await run('docker', ['port', id, '8000/tcp'], { timeout: 30_000 })).stdout
      .trim()
      .split(':')
      .at(-1)
    url = `http://127.0.0.1:${port}`
    const deadline = Date.now() + 60_000
    while (
      !(await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false
      ))
    ) {
      if (Date.now() > deadline) throw new Error('the stt container did not become healthy')
      await new Promise((r) => setTimeout(r, 250))
    }
  }, 120_000)

  afterAll(async () => {
    if (id) await run('docker', ['rm', '-f', id], { timeout: 60_000 }).catch(() => {})
  })

  const transcribe = async (bytes: Uint8Array, name: string) => {
    const form = new FormData()
    form.append('file', new Blob([new Uint8Array(bytes)]), name)
    form.append('model', 'whisper-base')
    form.append('response_format', 'verbose_json')
    const res = await fetch(`${url}/v1/audio/transcriptions`, { method: 'POST', body: form })
    return { status: res.status, body: (await res.json()) as { text?: string; duration?: number } }
  }

  // Whisper takes 3–5× the audio's length on a loaded 2-core machine: two transcriptions through
  // the server, and the decoder alone (fast) for the other two container/cut combinations.
  it('should transcribe Opus in Ogg with the audio duration', async () => {
    const { status, body } = await transcribe(fixture('speech-opus.ogg'), 'speech.ogg')
    expect(status).toBe(200)
    expect(body.text).toMatch(SAID)
    expect(body.duration).toBeGreaterThan(6.5)
    expect(body.duration).toBeLessThan(8)
  }, 180_000)

  it('should transcribe what a MediaRecorder WebM cut at a chunk boundary holds, as after a crash', async () => {
    // Chromium's MediaRecorder output, as IndexedDB holds it after five one-second chunks.
    const webm = fixture('chromium-mediarecorder.webm')
    const { status, body } = await transcribe(webm.subarray(0, 16_794), 'cut.webm')
    expect(status).toBe(200)
    expect(body.text).toMatch(SAID)
    expect(body.duration).toBeGreaterThan(4.5)
    expect(body.duration).toBeLessThan(5.5)
  }, 180_000)

  it('should decode a whole WebM and an Ogg cut mid-page to 16 kHz WAV of the right length', async () => {
    const ogg = fixture('speech-opus.ogg')
    for (const [name, bytes, min, max] of [
      ['whole.webm', fixture('speech-opus.webm'), 7, 7.4],
      ['cut.ogg', ogg.subarray(0, Math.floor(ogg.length * 0.6)), 2, 6.5],
    ] as const) {
      await docker(['exec', '-i', id, 'sh', '-c', `cat > /tmp/${name}`], bytes)
      await docker([
        'exec',
        id,
        '/opt/whisper/bin/python',
        ...opusDecodeArgs(`/tmp/${name}`, '/tmp/out.wav'),
      ])
      const size = Number((await docker(['exec', id, 'stat', '-c', '%s', '/tmp/out.wav'])).trim())
      const seconds = (size - 44) / 32_000
      expect(seconds, name).toBeGreaterThan(min)
      expect(seconds, name).toBeLessThan(max)
    }
  }, 60_000)

  it('should refuse a WebM without an Opus track with 415 JSON', async () => {
    const video = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.from('webm V_VP8')])
    const { status, body } = await transcribe(video, 'video.webm')
    expect(status).toBe(415)
    expect(JSON.stringify(body)).toMatch(/without an opus track/)
  })
})
