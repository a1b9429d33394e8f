import { execFile } from 'node:child_process'
import { stat } from 'node:fs/promises'
import { promisify } from 'node:util'
import type { SoxType } from './audio-format.ts'
import { SttError } from './errors.ts'

const run = promisify(execFile)
const MAX_OUTPUT = 64 * 1024 * 1024
const lastLine = (text: string): string => text.trim().split('\n').at(-1)?.slice(0, 300) ?? ''

const PCM_16K_MONO = ['-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer']

/** The recogniser's input: 16 kHz, mono, 16-bit signed PCM in a WAV file. */
export async function toRecognizerWav(input: string, type: SoxType, output: string) {
  try {
    // -D: no dither, so the same audio always gives the same transcript.
    const args = ['-V1', '-D', '-t', type, input, ...PCM_16K_MONO, output]
    await run('sox', args, { maxBuffer: MAX_OUTPUT, timeout: 120_000 })
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? ''
    throw new SttError(
      400,
      `could not decode the ${type} audio: ${lastLine(stderr).replace(input, 'the file') || 'sox failed'}`,
      'invalid_audio',
      'file'
    )
  }
  // 16 000 samples × 2 bytes per second after sox's 44-byte header.
  return { duration: Math.max(0, (await stat(output)).size - 44) / 32_000 }
}

/** Runs pocketsphinx_continuous (Debian's model: en-us) and returns what it printed. */
export async function recognize(wav: string, duration: number): Promise<string> {
  try {
    const { stdout } = await run('pocketsphinx_continuous', ['-infile', wav, '-time', 'yes'], {
      maxBuffer: MAX_OUTPUT,
      // It runs faster than real time on one core; anything far slower is stuck.
      timeout: Math.round(60_000 + duration * 2_000),
    })
    return stdout
  } catch (err) {
    const e = err as { stderr?: string; killed?: boolean; code?: unknown; signal?: unknown }
    // Its log is long and mostly INFO lines; the cause is in the others.
    const problems = (e.stderr ?? '').split('\n').filter((l) => /^(ERROR|FATAL)/.test(l))
    const detail = { code: e.code, signal: e.signal, stderr: problems.slice(-3) }
    console.error(
      JSON.stringify({ time: new Date().toISOString(), msg: 'engine failed', ...detail })
    )
    const why = e.killed ? 'timed out' : (problems.at(-1)?.slice(0, 300) ?? 'failed')
    throw new SttError(500, `the speech engine ${why}`, 'engine_failed')
  }
}
