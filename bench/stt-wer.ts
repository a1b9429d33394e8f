#!/usr/bin/env -S npx tsx
// Word error rate and speed of the stack's two offline engines (Whisper base and PocketSphinx),
// both from the same stt image, on the evaluation set's synthetic consultations spoken by
// espeak-ng, in one run: the ratio of the two is the figure, not either absolute time.
import { createHash } from 'node:crypto'
import { $, echo, fs, path } from 'zx'
import { z } from 'zod'
import { loadConsultations } from './eval-notes/consultations.ts'
import type { Consultation } from './eval-notes/consultations.ts'
import { parseArgs } from '../ops/lib/args.ts'
import { runScript } from '../ops/lib/main.ts'
import { DEFAULT_TAG, imageRef } from '../ops/lib/images.ts'
import { fromRoot } from '../ops/lib/paths.ts'
import { step } from '../ops/lib/step.ts'
import { synthesizeConsultation } from '../tests/support/audio.ts'
import { normaliseWords, wordEdits } from '../tests/support/wer.ts'

const ENGINES = ['whisper', 'pocketsphinx'] as const
type EngineName = (typeof ENGINES)[number]

const USAGE = `
Usage: npx tsx bench/stt-wer.ts [--count 10] [--tag local] [--engines whisper,pocketsphinx]   (make bench-stt)

  Speaks the first --count consultations of bench/eval-notes (espeak-ng, two voices; cached in
  tests/.cache/audio), starts medic-scribe/stt:<tag> once per engine with the stack's limits
  (1 CPU, 1 GB, read-only root, as compose.yml), sends every recording through its OpenAI-compatible endpoint
  one at a time, and prints per engine: word error rate against the script (all words pooled),
  audio seconds, processing seconds, and speed as a multiple of real time.
`

const CACHE = fromRoot('tests', '.cache', 'audio')

/** The consultation's words as spoken, and its audio (synthesised once, then cached). */
async function spoken(c: Consultation): Promise<{ text: string; file: string }> {
  const lines = c.utterances.map((u) => u.text)
  const key = createHash('sha256').update(JSON.stringify(lines)).digest('hex').slice(0, 12)
  const file = path.join(CACHE, `eval-${c.id}-${key}.wav`)
  if (!(await fs.pathExists(file))) {
    await fs.mkdirp(CACHE)
    const audio = lines.length > 0 ? await synthesizeConsultation(lines) : await silence(3)
    await fs.writeFile(`${file}.tmp`, audio)
    await fs.rename(`${file}.tmp`, file)
  }
  return { text: lines.join(' '), file }
}

async function silence(seconds: number): Promise<Uint8Array> {
  const file = path.join(CACHE, `silence-${seconds}.wav`)
  await $({ quiet: true })`sox -n -r 16000 -c 1 -b 16 ${file} trim 0 ${seconds}`
  return new Uint8Array(await fs.readFile(file))
}

async function startEngine(
  image: string,
  engine: EngineName
): Promise<{ url: string; id: string }> {
  const id = (
    await $({
      quiet: true,
    })`docker run -d --rm --read-only --tmpfs /tmp:size=512m --cpus 1 --memory 1g -e STT_ENGINE=${engine} -p 127.0.0.1::8000 ${image}`
  ).stdout.trim()
  const port = (await $({ quiet: true })`docker port ${id} 8000/tcp`).stdout
    .trim()
    .split(':')
    .at(-1)
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false
    )
    if (ok) return { url, id }
    if (Date.now() > deadline) throw new Error(`the ${engine} engine did not start`)
    await new Promise((r) => setTimeout(r, 500))
  }
}

async function transcribe(url: string, file: string): Promise<{ text: string; duration: number }> {
  const form = new FormData()
  form.append('file', new Blob([await fs.readFile(file)], { type: 'audio/wav' }), 'audio.wav')
  form.append('model', 'offline')
  form.append('response_format', 'verbose_json')
  const res = await fetch(`${url}/v1/audio/transcriptions`, { method: 'POST', body: form })
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`)
  return (await res.json()) as { text: string; duration: number }
}

type Row = {
  engine: EngineName
  edits: number
  words: number
  audio: number
  seconds: number
  /** Recordings the engine answered with an error: left out of the WER, counted here. */
  failed: number
}

await runScript(async () => {
  const flags = parseArgs({
    usage: USAGE,
    string: ['count', 'tag', 'engines'],
    shape: {
      count: z.coerce.number().int().min(1).max(100).default(10),
      tag: z.string().default(DEFAULT_TAG),
      engines: z
        .string()
        .default(ENGINES.join(','))
        .transform((s) => s.split(','))
        .pipe(z.array(z.enum(ENGINES)).min(1)),
    },
  })
  const set = loadConsultations().slice(0, flags.count)
  const audio: { c: Consultation; text: string; file: string }[] = []
  await step(`speak ${set.length} consultations (cached in ${CACHE})`, async () => {
    for (const c of set) audio.push({ c, ...(await spoken(c)) })
  })
  const rows: Row[] = []
  for (const engine of flags.engines) {
    await step(`${engine}: ${set.length} recordings`, async () => {
      const { url, id } = await startEngine(imageRef('stt', flags.tag), engine)
      const r: Row = { engine, edits: 0, words: 0, audio: 0, seconds: 0, failed: 0 }
      try {
        for (const a of audio) {
          const t0 = performance.now()
          const heard = await transcribe(url, a.file).catch((err: Error) => err)
          if (heard instanceof Error) {
            r.failed += 1
            echo(`    ${a.c.id}: FAILED ${heard.message.slice(0, 160)}`)
            continue
          }
          r.seconds += (performance.now() - t0) / 1000
          r.audio += heard.duration
          const ref = normaliseWords(a.text)
          const edits = wordEdits(ref, normaliseWords(heard.text))
          r.edits += edits
          r.words += ref.length
          echo(
            `    ${a.c.id}: WER ${pct(ref.length ? edits / ref.length : 0)}  heard: ${heard.text.slice(0, 90)}`
          )
        }
      } finally {
        await $({ quiet: true, nothrow: true })`docker rm -f ${id}`
      }
      rows.push(r)
      return `WER ${pct(r.edits / Math.max(1, r.words))}, ${(r.audio / r.seconds).toFixed(2)}× real time`
    })
  }
  const base = rows.find((r) => r.engine === 'pocketsphinx')
  echo('')
  echo(
    'engine        WER     words  audio s  processing s  × real time  failed  WER vs pocketsphinx'
  )
  for (const r of rows) {
    const wer = r.edits / Math.max(1, r.words)
    const ratio = base
      ? (wer / Math.max(1e-9, base.edits / Math.max(1, base.words))).toFixed(2)
      : '-'
    echo(
      `${r.engine.padEnd(13)} ${pct(wer).padStart(6)} ${String(r.words).padStart(7)} ${r.audio.toFixed(0).padStart(8)} ${r.seconds.toFixed(1).padStart(13)} ${(r.audio / r.seconds).toFixed(2).padStart(12)} ${String(r.failed).padStart(7)}  ${ratio}`
    )
  }
})

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`
}
