// Opus in Ogg or WebM from a WAV file, with the stt image's PyAV (libopus and FFmpeg's muxers are
// in its wheel), so making Opus needs no other tool on the machine: used by the upload-format
// bench and to make tests/fixtures/audio/speech-opus.{ogg,webm} (espeak-ng speech, 24 kb/s mono,
// the bit rate a browser's MediaRecorder is asked for).
import { execFile } from 'node:child_process'
import { basename, dirname, resolve } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export type OpusContainer = 'ogg' | 'webm'

const ENCODE_PY = `
import sys, av
src, dst, fmt, rate = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
with av.open(src) as i, av.open(dst, 'w', format=fmt) as o:
    s = o.add_stream('libopus', rate=48000)
    s.bit_rate = rate
    s.layout = 'mono'
    r = av.AudioResampler(format='s16', layout='mono', rate=48000)
    for f in i.decode(audio=0):
        f.pts = None
        for g in r.resample(f):
            for p in s.encode(g): o.mux(p)
    for p in s.encode(None): o.mux(p)
`

/** Encodes `wav` (any rate) to Opus at `bitRate` in `container`, written next to it as `out`. */
export async function encodeOpus(opts: {
  image: string
  wav: string
  out: string
  container: OpusContainer
  bitRate?: number
}): Promise<void> {
  const inDir = dirname(resolve(opts.wav))
  const outDir = dirname(resolve(opts.out))
  const uid = `${process.getuid?.() ?? 1000}:${process.getgid?.() ?? 1000}`
  await run(
    'docker',
    [
      'run',
      '--rm',
      '--network',
      'none',
      '-u',
      uid,
      '-v',
      `${inDir}:/in:ro`,
      '-v',
      `${outDir}:/out`,
      '--entrypoint',
      '/opt/whisper/bin/python',
      opts.image,
      '-c',
      ENCODE_PY,
      `/in/${basename(opts.wav)}`,
      `/out/${basename(opts.out)}`,
      opts.container,
      String(opts.bitRate ?? 24_000),
    ],
    { timeout: 300_000, maxBuffer: 16 * 1024 * 1024 }
  )
}
