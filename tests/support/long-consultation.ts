// A synthesised 60-minute consultation for the long-audio tests: a few minutes of varied speech
// (espeak-ng, two voices) with pauses of different lengths, repeated with sox to one hour.
// Generated once and cached under tests/.cache/audio/ (git-ignored), keyed by the SHA-256 of
// this file, so any change to the script or the commands makes a new one and reruns are instant.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const here = fileURLToPath(import.meta.url)
const CACHE_DIR = join(dirname(here), '..', '.cache', 'audio')
const TIME_LIMIT_MS = 120_000

export const LONG_CONSULTATION_SECONDS = 3600
export const LONG_CONSULTATION_RATE = 16_000

/** What is said, in order; each line is followed by a pause (seconds) before the next. */
export const LONG_CONSULTATION_SCRIPT: readonly { line: string; pause: number }[] = [
  { line: 'Good morning, please take a seat. What brings you in today?', pause: 0.8 },
  { line: 'I have had a pounding headache for three days and some dizziness.', pause: 1.2 },
  { line: 'Does the headache get worse when you bend over or in the morning?', pause: 0.6 },
  { line: 'It is worse in the morning and I feel sick sometimes.', pause: 2.5 },
  { line: 'Are you taking any medication at the moment?', pause: 0.7 },
  { line: 'I take metformin 500 mg twice daily for my diabetes.', pause: 1.5 },
  { line: 'Any chest pain, shortness of breath or palpitations?', pause: 0.5 },
  { line: 'No chest pain, but I get short of breath on the stairs.', pause: 4 },
  { line: 'Your blood pressure is 150 over 95 and your heart rate is 88.', pause: 1 },
  { line: 'Your temperature is 37.2 degrees and oxygen saturation is 97 percent.', pause: 1.8 },
  { line: 'On examination the chest is clear and there is mild ankle swelling.', pause: 0.9 },
  { line: 'This is likely hypertension, possibly with early heart failure.', pause: 3 },
  { line: 'I will start amlodipine 5 mg once daily.', pause: 0.7 },
  { line: 'We will check your kidney function and an ECG today.', pause: 1.1 },
  { line: 'Please cut down on salt and check your blood pressure at home.', pause: 2 },
  { line: 'Come back in two weeks so we can recheck it.', pause: 6 },
]

async function cacheKey(): Promise<string> {
  return createHash('sha256')
    .update(await readFile(here))
    .digest('hex')
    .slice(0, 16)
}

async function generate(out: string): Promise<void> {
  // Work inside the cache folder: the final rename then never crosses filesystems, and two test
  // files generating at once each finish with a complete file.
  await mkdir(dirname(out), { recursive: true })
  const dir = await mkdtemp(join(dirname(out), 'tmp-'))
  const sox = (args: string[]) => run('sox', args, { timeout: TIME_LIMIT_MS })
  try {
    const parts: string[] = []
    for (const [i, { line, pause }] of LONG_CONSULTATION_SCRIPT.entries()) {
      const raw = join(dir, `raw-${i}.wav`)
      const voice = i % 2 ? 'en-us' : 'en-gb'
      await run('espeak-ng', ['-v', voice, '-s', '165', '-w', raw, line], {
        timeout: TIME_LIMIT_MS,
      })
      const part = join(dir, `part-${i}.wav`)
      await sox([raw, '-r', '16000', '-c', '1', '-b', '16', part, 'pad', '0', String(pause)])
      parts.push(part)
    }
    const block = join(dir, 'block.wav')
    await sox([...parts, block])
    const { stdout } = await run('soxi', ['-D', block], { timeout: TIME_LIMIT_MS })
    const repeats = Math.ceil(LONG_CONSULTATION_SECONDS / Number(stdout.trim())) - 1
    const long = join(dir, 'long.wav')
    const seconds = String(LONG_CONSULTATION_SECONDS)
    await sox([block, long, 'repeat', String(repeats), 'trim', '0', seconds])
    await rename(long, out)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** The path of the cached 60-minute WAV (16 kHz mono 16-bit), generating it if needed. */
export async function longConsultationPath(): Promise<string> {
  const out = join(CACHE_DIR, `consultation-60min-${await cacheKey()}.wav`)
  if (!(await stat(out).catch(() => undefined))) await generate(out)
  return out
}

/** The 60-minute consultation's bytes (about 115 MB). */
export async function longConsultationWav(): Promise<Uint8Array> {
  return new Uint8Array(await readFile(await longConsultationPath()))
}
