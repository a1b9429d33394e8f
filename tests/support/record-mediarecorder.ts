#!/usr/bin/env -S npx tsx
// Records what Chromium's MediaRecorder writes from a WAV on its fake microphone, as the PWA does
// (audio/webm;codecs=opus, 24 kb/s, timeslice 1000 ms), and prints each chunk's size: made
// tests/fixtures/audio/chromium-mediarecorder.webm (usage: record-mediarecorder.ts in48k.wav out.webm).
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { chromium } from 'playwright-core'
import { CHROMIUM } from '../e2e/browser.ts'

const [input, output] = process.argv.slice(2)
if (!input || !output) throw new Error('usage: record-mediarecorder.ts <in.wav> <out.webm>')
// getUserMedia needs a secure context: http://127.0.0.1 is one.
const server = createServer((_req, res) => res.writeHead(200).end('<p>recorder</p>'))
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const port = (server.address() as { port: number }).port
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  chromiumSandbox: process.getuid?.() !== 0,
  args: [
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${input}%noloop`,
  ],
})
try {
  const page = await browser.newPage()
  await page.goto(`http://127.0.0.1:${port}/`)
  const chunks = await page.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true })
    const rec = new MediaRecorder(stream, {
      mimeType: 'audio/webm;codecs=opus',
      audioBitsPerSecond: 24_000,
    })
    const out: number[][] = []
    rec.ondataavailable = (e) =>
      void e.data.arrayBuffer().then((b) => out.push([...new Uint8Array(b)]))
    rec.start(1000)
    await new Promise((r) => setTimeout(r, 8000))
    await new Promise((r) => {
      rec.onstop = r
      rec.stop()
    })
    await new Promise((r) => setTimeout(r, 200))
    return out
  })
  writeFileSync(output, Buffer.concat(chunks.map((c) => Buffer.from(c))))
  console.log(`chunk sizes: ${chunks.map((c) => c.length).join(' ')}`)
} finally {
  await browser.close()
  server.close()
}
