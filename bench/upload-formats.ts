#!/usr/bin/env -S npx tsx
// Bytes per minute of the PWA's three recording formats (16 kHz WAV, Opus in WebM, Opus in Ogg)
// on the same synthetic consultation, and the time to upload a consultation of --minutes in each
// through the e2e suite's throttling proxy (tests/e2e/network-proxy.ts) to a local sink: the
// ratios against WAV from the same run are the figures, not the absolute seconds.
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { connect } from 'node:net'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { echo } from 'zx'
import { z } from 'zod'
import { parseArgs } from '../ops/lib/args.ts'
import { runScript } from '../ops/lib/main.ts'
import { DEFAULT_TAG, imageRef } from '../ops/lib/images.ts'
import { step } from '../ops/lib/step.ts'
import { startNetworkProxy } from '../tests/e2e/network-proxy.ts'
import { CONSULTATION, synthesizeConsultation } from '../tests/support/audio.ts'
import { encodeOpus } from '../tests/support/opus-encode.ts'

const USAGE = `
Usage: npm run bench:upload-formats -- [--minutes 30] [--kbps 4000] [--tag local]

  Speaks the standard consultation (espeak-ng, two voices, ~25 s, repeated to one minute),
  encodes it as the PWA records it (16 kHz 16-bit WAV; Opus 24 kb/s mono in WebM and in Ogg,
  with the stt image medic-scribe/stt:<tag>'s libopus), prints bytes per minute of each, then
  uploads --minutes' worth of each format through the e2e throttling proxy at --kbps (the uplink,
  kilobits a second) to a sink on 127.0.0.1 and prints the time taken, with ratios against WAV.
`

type Row = { format: string; bytesPerMinute: number; uploadS?: number }

/** POSTs `bytes` through the CONNECT proxy to the sink; resolves when the sink has answered. */
function uploadThrough(proxyPort: number, sinkPort: number, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const socket = connect(proxyPort, '127.0.0.1', () => {
      socket.write(`CONNECT 127.0.0.1:${sinkPort} HTTP/1.1\r\nHost: 127.0.0.1:${sinkPort}\r\n\r\n`)
    })
    let tunnel = false
    socket.setTimeout(1_800_000, () => socket.destroy(new Error('upload timed out')))
    socket.on('error', reject)
    socket.on('data', (data: Buffer) => {
      const text = data.toString('latin1')
      if (!tunnel) {
        if (!text.startsWith('HTTP/1.1 200')) return reject(new Error(`proxy: ${text}`))
        tunnel = true
        socket.write(
          `POST /upload HTTP/1.1\r\nHost: sink\r\nContent-Length: ${bytes}\r\nConnection: close\r\n\r\n`
        )
        const block = Buffer.alloc(64 * 1024, 0x55)
        let left = bytes
        const pump = () => {
          while (left > 0) {
            const n = Math.min(block.length, left)
            left -= n
            if (!socket.write(block.subarray(0, n))) return void socket.once('drain', pump)
          }
        }
        pump()
        return
      }
      if (text.startsWith('HTTP/1.1 204')) {
        resolve((performance.now() - started) / 1000)
        socket.destroy()
      }
    })
  })
}

function startSink(): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    req.on('data', () => {})
    req.on('end', () => res.writeHead(204).end())
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as { port: number }).port })
    )
  )
}

await runScript(async () => {
  const flags = parseArgs({
    usage: USAGE,
    string: ['minutes', 'kbps', 'tag'],
    shape: {
      minutes: z.coerce.number().min(1).max(120).default(30),
      kbps: z.coerce.number().int().min(64).max(1_000_000).default(4000),
      tag: z.string().default(DEFAULT_TAG),
    },
  })
  const dir = await mkdtemp(join(tmpdir(), 'bench-upload-formats-'))
  try {
    const wav = join(dir, 'minute.wav')
    await step('speaking one minute of consultation (espeak-ng, sox)', async () => {
      const lines = [...CONSULTATION, ...CONSULTATION, ...CONSULTATION]
      await writeFile(wav, await synthesizeConsultation(lines, { seconds: 60 }))
    })
    const sizes: Record<string, number> = { 'WAV 16 kHz': (await readFile(wav)).length }
    for (const container of ['webm', 'ogg'] as const) {
      const out = join(dir, `minute.${container}`)
      await step(`encoding Opus 24 kb/s in ${container} (${imageRef('stt', flags.tag)})`, () =>
        encodeOpus({ image: imageRef('stt', flags.tag), wav, out, container })
      )
      sizes[`Opus in ${container === 'webm' ? 'WebM' : 'Ogg'}`] = (await readFile(out)).length
    }
    const rows: Row[] = Object.entries(sizes).map(([format, bytes]) => ({
      format,
      bytesPerMinute: bytes,
    }))

    const proxy = await startNetworkProxy()
    const sink = await startSink()
    proxy.uplink = (flags.kbps * 1000) / 8
    try {
      for (const row of rows) {
        const bytes = Math.round(row.bytesPerMinute * flags.minutes)
        await step(
          `uploading ${flags.minutes} min of ${row.format} (${(bytes / 1e6).toFixed(1)} MB) at ${flags.kbps} kb/s`,
          async () => {
            row.uploadS = await uploadThrough(proxy.port, sink.port, bytes)
          }
        )
      }
    } finally {
      await proxy.close()
      sink.server.close()
    }

    const wavRow = rows[0]!
    echo('')
    echo(
      `format        bytes/min   MB/${flags.minutes} min   vs WAV   upload at ${flags.kbps} kb/s   vs WAV`
    )
    for (const r of rows) {
      const size = ((r.bytesPerMinute * flags.minutes) / 1e6).toFixed(1).padStart(8)
      const ratio = (r.bytesPerMinute / wavRow.bytesPerMinute).toFixed(3).padStart(6)
      const up = `${r.uploadS!.toFixed(1)} s`.padStart(12)
      const upRatio = (r.uploadS! / wavRow.uploadS!).toFixed(3).padStart(6)
      echo(
        `${r.format.padEnd(13)} ${String(r.bytesPerMinute).padStart(9)} ${size}      ${ratio}   ${up}             ${upRatio}`
      )
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
