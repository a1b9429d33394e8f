// CMU PocketSphinx with Debian's en-us model: light and fast to start, but low accuracy.
import { parsePocketsphinx, toVerbose } from '../transcript.ts'
import { engineTimeout, failed, runEngine } from './run.ts'
import type { Engine } from './types.ts'

export const pocketsphinx: Engine = {
  info: {
    engine: 'pocketsphinx',
    model: 'pocketsphinx-en-us',
    owned_by: 'cmusphinx',
    accuracy: 'low',
    note: 'offline fallback engine; STT_ENGINE=whisper (the default) is far more accurate',
  },
  async transcribe({ wav, duration, withWords, signal }) {
    try {
      const { stdout } = await runEngine(
        'pocketsphinx_continuous',
        ['-infile', wav, '-time', 'yes'],
        { timeout: engineTimeout(duration), signal }
      )
      return toVerbose(parsePocketsphinx(stdout), duration, withWords)
    } catch (err) {
      // Its log is long and mostly INFO lines; the cause is in the others.
      throw failed(err, (line) => /^(ERROR|FATAL)/.test(line))
    }
  },
}
