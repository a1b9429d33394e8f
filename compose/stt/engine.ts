import { execFile } from 'node:child_process'
import { stat } from 'node:fs/promises'
import { promisify } from 'node:util'
import type { InputType } from './audio-format.ts'
import { SttError } from './errors.ts'
import { pocketsphinx } from './engines/pocketsphinx.ts'
import type { Engine } from './engines/types.ts'
import { whisperEngine } from './engines/whisper.ts'
import { opusDecodeArgs } from './opus-decoder.ts'

const run = promisify(execFile)
const MAX_OUTPUT = 64 * 1024 * 1024
const lastLine = (text: string): string => text.trim().split('\n').at(-1)?.slice(0, 300) ?? ''

const PCM_16K_MONO = ['-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer']

/** The Python that has PyAV: the Whisper venv's (present in the image for both engines). */
const python = (): string => process.env.STT_PYTHON ?? '/opt/whisper/bin/python'

/** The recogniser's input: 16 kHz, mono, 16-bit signed PCM in a WAV file. */
export async function toRecognizerWav(input: string, type: InputType, output: string) {
  const opus = type === 'ogg-opus' || type === 'webm-opus'
  try {
    if (opus) {
      await run(python(), opusDecodeArgs(input, output), {
        maxBuffer: MAX_OUTPUT,
        timeout: 120_000,
      })
    } else {
      // -D: no dither, so the same audio always gives the same transcript.
      const args = ['-V1', '-D', '-t', type, input, ...PCM_16K_MONO, output]
      await run('sox', args, { maxBuffer: MAX_OUTPUT, timeout: 120_000 })
    }
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? ''
    throw new SttError(
      400,
      `could not decode the ${type} audio: ${lastLine(stderr).replace(input, 'the file') || `${opus ? 'the decoder' : 'sox'} failed`}`,
      'invalid_audio',
      'file'
    )
  }
  // 16 000 samples × 2 bytes per second after the 44-byte header (sox's and Python's wave).
  return { duration: Math.max(0, (await stat(output)).size - 44) / 32_000 }
}

/** The engine STT_ENGINE names: `whisper` (the image's default) or `pocketsphinx`. */
export function selectEngine(env: Record<string, string | undefined>): Engine {
  const name = env.STT_ENGINE ?? 'whisper'
  if (name === 'pocketsphinx') return pocketsphinx
  if (name !== 'whisper') throw new Error(`STT_ENGINE must be whisper or pocketsphinx, got ${name}`)
  const threads = Number(env.STT_THREADS ?? 1)
  const beamSize = Number(env.STT_BEAM_SIZE ?? 1)
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error('STT_THREADS must be a positive integer')
  if (!Number.isInteger(beamSize) || beamSize < 1)
    throw new Error('STT_BEAM_SIZE must be a positive integer')
  return whisperEngine({
    bin: env.STT_WHISPER_BIN ?? 'whisper-ctranslate2',
    modelDir: env.STT_WHISPER_MODEL_DIR ?? '/opt/whisper-base',
    threads,
    beamSize,
  })
}
