import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export const CONSULTATION = [
  'Good morning, what brings you in today?',
  'I have had a pounding headache for three days and some dizziness.',
  'Your blood pressure is 150 over 95 and your heart rate is 88.',
  'This is likely hypertension.',
  'I will start amlodipine 5 mg once daily and we will follow up in two weeks.',
]

/**
 * Speaks the lines with espeak-ng and joins them with sox into a 16 kHz mono WAV, so tests
 * carry real audio without downloading any. `seconds` pads with silence to reach a length;
 * `rate` is the sample rate (16 kHz by default; a browser's fake microphone wants 48 kHz).
 */
export async function synthesizeConsultation(
  lines = CONSULTATION,
  opts: { seconds?: number; rate?: number } = {}
): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'scribe-audio-'))
  try {
    const parts: string[] = []
    for (const [i, line] of lines.entries()) {
      const raw = join(dir, `raw-${i}.wav`)
      await run('espeak-ng', ['-v', i % 2 ? 'en-us' : 'en-gb', '-s', '160', '-w', raw, line])
      parts.push(raw)
    }
    const out = join(dir, 'consultation.wav')
    const pad = opts.seconds ? ['pad', '0', String(opts.seconds)] : []
    await run('sox', [
      ...parts,
      '-r',
      String(opts.rate ?? 16_000),
      '-c',
      '1',
      '-b',
      '16',
      out,
      ...pad,
    ])
    if (opts.seconds)
      await run('sox', [out, join(dir, 'trim.wav'), 'trim', '0', String(opts.seconds)])
    return new Uint8Array(await readFile(opts.seconds ? join(dir, 'trim.wav') : out))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

let cached: Promise<Uint8Array> | undefined
/** The standard consultation, synthesised once per test process. */
export function consultationWav(): Promise<Uint8Array> {
  cached ??= synthesizeConsultation()
  return cached
}
