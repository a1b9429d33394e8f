// Upload helpers for the benchmark: a WAV file written once to disk, a multipart POST that
// streams it from disk (the client never holds a file in memory), and the same bytes written
// straight to disk with fsync as the ceiling to compare against.
import { randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

export const MiB = 1024 * 1024

const WAV_HEADER_BYTES = 44
const SAMPLE_RATE = 16_000

/** A valid RIFF/WAVE file (16 kHz mono 16-bit PCM) of exactly `totalBytes`, generated in 1 MiB blocks. */
export async function writeWav(path: string, totalBytes: number): Promise<void> {
  const header = Buffer.alloc(WAV_HEADER_BYTES)
  header.write('RIFF', 0, 'ascii')
  header.writeUInt32LE(totalBytes - 8, 4)
  header.write('WAVE', 8, 'ascii')
  header.write('fmt ', 12, 'ascii')
  header.writeUInt32LE(16, 16) // fmt chunk size
  header.writeUInt16LE(1, 20) // PCM
  header.writeUInt16LE(1, 22) // mono
  header.writeUInt32LE(SAMPLE_RATE, 24)
  header.writeUInt32LE(SAMPLE_RATE * 2, 28) // byte rate
  header.writeUInt16LE(2, 32) // block align
  header.writeUInt16LE(16, 34) // bits per sample
  header.write('data', 36, 'ascii')
  header.writeUInt32LE(totalBytes - WAV_HEADER_BYTES, 40)

  const fd = await open(path, 'w', 0o600)
  try {
    await fd.write(header)
    const block = Buffer.alloc(MiB)
    const samples = new Int16Array(block.buffer, block.byteOffset, block.length / 2)
    let noise = 0x2545f491
    let t = 0
    for (let left = totalBytes - WAV_HEADER_BYTES; left > 0; left -= block.length) {
      // A quiet 440 Hz tone with a little xorshift noise, so no two blocks are alike.
      for (let i = 0; i < samples.length; i++, t++) {
        noise ^= noise << 13
        noise ^= noise >>> 17
        noise ^= noise << 5
        samples[i] =
          Math.round(3000 * Math.sin((2 * Math.PI * 440 * t) / SAMPLE_RATE)) + (noise & 0xff)
      }
      await fd.write(block, 0, Math.min(left, block.length))
    }
  } finally {
    await fd.close()
  }
}

export type UploadResult = { ms: number; status: number; body: string }

/**
 * POST /api/recordings as multipart/form-data with a known Content-Length; the file part is
 * read from disk in 64 KiB chunks as the socket drains.
 */
export function uploadRecording(opts: {
  port: number
  token: string
  file: string
  size: number
  filename?: string
}): Promise<UploadResult> {
  const boundary = `----medic-bench-${randomUUID()}`
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="template"\r\n\r\nsoap\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="audio"; filename="${opts.filename ?? 'bench.wav'}"\r\n` +
      'Content-Type: audio/wav\r\n\r\n'
  )
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  async function* body() {
    yield head
    yield* createReadStream(opts.file)
    yield tail
  }
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const req = request(
      {
        host: '127.0.0.1',
        port: opts.port,
        method: 'POST',
        path: '/api/recordings',
        agent: false,
        headers: {
          authorization: `Bearer ${opts.token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(head.length + opts.size + tail.length),
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () =>
          resolve({
            ms: performance.now() - started,
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
          })
        )
      }
    )
    req.on('error', reject)
    pipeline(Readable.from(body()), req).catch(reject)
  })
}

/** The same bytes copied to `dest` the way the API writes them (chunk by chunk), then fsync. */
export async function writeDirect(src: string, dest: string): Promise<number> {
  const started = performance.now()
  const fd = await open(dest, 'wx', 0o640)
  try {
    for await (const chunk of createReadStream(src)) await fd.write(chunk as Buffer)
    await fd.sync()
  } finally {
    await fd.close()
  }
  const ms = performance.now() - started
  await rm(dest, { force: true })
  return ms
}
