// Opus (in Ogg or WebM) → the 16 kHz mono 16-bit WAV both engines read, with PyAV.
//
// Why PyAV and not a Debian package: the Whisper venv already ships the `av` wheel (faster-whisper
// depends on it) with its own FFmpeg build, libopus and the Ogg and Matroska demuxers included, so
// reading Opus costs the image nothing. Debian's ffmpeg would add its whole dependency tree (well
// over 100 MB with --no-install-recommends), GStreamer's base+good plugins tens of MB, and
// opus-tools reads Ogg only — not the WebM that Chrome's MediaRecorder writes.
//
// A recording saved one second at a time and recovered after a crash ends at a chunk boundary,
// perhaps inside a packet: the script keeps what decodes and stops at the first broken packet.
// It fails only when nothing decodes at all.

export const DECODE_OPUS_PY = `
import sys, wave
import av
src, dst = sys.argv[1], sys.argv[2]
samples = 0
with av.open(src) as container, wave.open(dst, 'wb') as out:
    out.setnchannels(1)
    out.setsampwidth(2)
    out.setframerate(16000)
    audio = next((s for s in container.streams if s.type == 'audio'), None)
    if audio is None:
        sys.exit('no audio track')
    resampler = av.AudioResampler(format='s16', layout='mono', rate=16000)
    def write(frames):
        global samples
        for f in frames:
            out.writeframes(bytes(f.planes[0])[: f.samples * 2])
            samples += f.samples
    try:
        for packet in container.demux(audio):
            for frame in packet.decode():
                write(resampler.resample(frame))
    except av.error.FFmpegError as err:
        if samples == 0:
            raise
        print('stopped at a damaged packet after %d samples: %s' % (samples, err), file=sys.stderr)
    write(resampler.resample(None))
if samples == 0:
    sys.exit('no audio decoded')
`

/** The arguments to run the decoder: `python -c <script> <input> <output>`. */
export function opusDecodeArgs(input: string, output: string): string[] {
  return ['-c', DECODE_OPUS_PY, input, output]
}
