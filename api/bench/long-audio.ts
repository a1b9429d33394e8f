// `npm run bench:long-audio`: what an hour-long consultation costs the API itself, in one run,
// each figure against a baseline measured alongside it (absolute numbers depend on the machine):
//   1. finding pauses and planning chunks, against hashing the file (which every job does);
//   2. sending it in chunks through the OpenAI SDK to a loopback server that answers at once,
//      against one plain fetch POST of the whole file to the same server;
//   3. the extractive writer on the hour's transcript, against a 5-minute one (per utterance).
// The audio is the tests' synthesised consultation (espeak-ng + sox, cached in tests/.cache).
import { BUILTIN_TEMPLATES } from '../src/templates/builtin.ts'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sha256Hex } from '../src/lib/hex.ts'
import { createOpenAiStt, DEFAULT_CHUNK_LIMITS } from '../src/providers/stt/openai.ts'
import { parseWavPcm } from '../src/providers/stt/chunking/wav.ts'
import { planWavChunks } from '../src/providers/stt/chunking/transcribe.ts'
import { writeExtractive } from '../src/providers/writer/extractive.ts'
import type { Transcript } from '../src/providers/types.ts'
import { longConsultationWav } from '../../tests/support/long-consultation.ts'
import { timedVerboseJson } from '../../tests/support/timed-answers.ts'

const RUNS = 3
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  const runs: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now()
    await fn()
    runs.push(performance.now() - t)
  }
  return median(runs)
}
const row = (what: string, ms: number, base: string, baseMs: number) =>
  console.log(
    `${what.padEnd(44)} ${ms.toFixed(0).padStart(7)} ms   ${base.padEnd(34)} ${baseMs.toFixed(0).padStart(6)} ms   ×${(ms / baseMs).toFixed(2)}`
  )

console.log('generating or loading the 60-minute consultation...')
const bytes = await longConsultationWav()
const wav = parseWavPcm(bytes)!
console.log(
  `60 min, ${(bytes.length / 2 ** 20).toFixed(1)} MiB; median of ${RUNS} runs; limits ${DEFAULT_CHUNK_LIMITS.maxBytes / 2 ** 20} MiB, ${DEFAULT_CHUNK_LIMITS.maxSeconds} s, ${DEFAULT_CHUNK_LIMITS.concurrency} at once\n`
)

const spans = planWavChunks(bytes, wav, DEFAULT_CHUNK_LIMITS)
row(
  `find pauses + plan (${spans.length} chunks)`,
  await time(() => planWavChunks(bytes, wav, DEFAULT_CHUNK_LIMITS)),
  'SHA-256 of the file',
  await time(() => sha256Hex(bytes))
)

// A server that reads each request to the end and answers a transcript at once.
const server = createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(timedVerboseJson(DEFAULT_CHUNK_LIMITS.maxSeconds)))
  })
})
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
try {
  const stt = createOpenAiStt({ baseUrl: base })
  const audio = { bytes, mediaType: 'audio/wav', filename: 'a.wav', language: 'en' }
  row(
    `chunked transcription (${spans.length} requests)`,
    await time(() => stt.transcribe(audio)),
    'one fetch POST of the whole file',
    await time(async () => {
      const res = await fetch(`${base}/audio/transcriptions`, {
        method: 'POST',
        body: bytes as Uint8Array<ArrayBuffer>,
      })
      await res.arrayBuffer()
    })
  )
} finally {
  server.close()
}

const transcript = (seconds: number): Transcript => ({
  provider: 'bench',
  model: 'bench',
  language: 'en',
  duration_s: seconds,
  utterances: timedVerboseJson(seconds).segments.map((s, i) => ({
    id: `u${i + 1}`,
    speaker: 'speaker_0',
    start: s.start,
    end: s.end,
    text: s.text,
  })),
})
const hour = transcript(3600)
const five = transcript(300)
const perUtterance = async (t: Transcript) =>
  (await time(() =>
    writeExtractive({ transcript: t, template: BUILTIN_TEMPLATES['soap'], language: 'en' })
  )) / t.utterances.length
writeExtractive({ transcript: hour, template: BUILTIN_TEMPLATES['soap'], language: 'en' }) // warm up the regexes
const hourMs = await time(() =>
  writeExtractive({ transcript: hour, template: BUILTIN_TEMPLATES['soap'], language: 'en' })
)
const hourPer = await perUtterance(hour)
const fivePer = await perUtterance(five)
console.log(
  `${`extractive writer, 60 min (${hour.utterances.length} utterances)`.padEnd(44)} ${hourMs.toFixed(0).padStart(7)} ms   ${'per utterance, vs 5 min'.padEnd(34)} ${(fivePer * 1000).toFixed(0).padStart(3)} µs/u   ×${(hourPer / fivePer).toFixed(2)}`
)
