// OpenAI's Whisper base model on faster-whisper/CTranslate2 (int8 on the CPU), run through the
// whisper-ctranslate2 command of the image's venv: one process per request, so a crash or a
// leak never outlives the request. The model is in the image; nothing is downloaded.
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { whisperToVerbose } from '../whisper-output.ts'
import type { WhisperJson } from '../whisper-output.ts'
import { engineTimeout, failed, runEngine } from './run.ts'
import type { Engine } from './types.ts'

export type WhisperSettings = { bin: string; modelDir: string; threads: number; beamSize: number }

export function whisperEngine(s: WhisperSettings): Engine {
  return {
    info: {
      engine: 'faster-whisper',
      model: 'whisper-base',
      owned_by: 'openai',
      accuracy: 'moderate',
      note: 'offline engine (Whisper base, int8 on the CPU); a hosted or larger model is more accurate',
    },
    async transcribe({ wav, duration, withWords, signal }) {
      const out = dirname(wav)
      const args = [
        wav,
        ...['--model_directory', s.modelDir, '--language', 'en', '--task', 'transcribe'],
        ...['--output_format', 'json', '--output_dir', out, '--verbose', 'False'],
        ...['--device', 'cpu', '--compute_type', 'int8', '--threads', String(s.threads)],
        ...['--beam_size', String(s.beamSize), '--word_timestamps', 'True'],
        // The voice detector keeps silence from turning into invented words ("Thank you."), and
        // not conditioning on the previous text keeps one misheard phrase from repeating.
        ...['--vad_filter', 'True', '--condition_on_previous_text', 'False'],
      ]
      try {
        await runEngine(s.bin, args, { timeout: engineTimeout(duration), signal })
      } catch (err) {
        throw failed(err, (line) => /error|exception|traceback/i.test(line))
      }
      const file = join(out, `${wav.replace(/^.*\//, '').replace(/\.[^.]+$/, '')}.json`)
      const json = JSON.parse(await readFile(file, 'utf8')) as WhisperJson
      return whisperToVerbose(json, duration, withWords)
    },
  }
}
