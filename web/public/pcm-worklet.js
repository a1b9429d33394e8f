// AudioWorklet: copies the microphone's first channel out in blocks of ~4096 frames.
// Downsampling and storage happen on the main thread (web/src/lib/recorder.ts).
class PcmCapture extends AudioWorkletProcessor {
  constructor() {
    super()
    this.block = new Float32Array(4096)
    this.filled = 0
    this.port.onmessage = (e) => {
      if (e.data === 'flush') this.flush()
    }
  }

  flush() {
    if (this.filled === 0) {
      this.port.postMessage(new Float32Array(0))
      return
    }
    const out = this.block.slice(0, this.filled)
    this.filled = 0
    this.port.postMessage(out, [out.buffer])
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0]
    if (channel) {
      let i = 0
      while (i < channel.length) {
        const n = Math.min(channel.length - i, this.block.length - this.filled)
        this.block.set(channel.subarray(i, i + n), this.filled)
        this.filled += n
        i += n
        if (this.filled === this.block.length) {
          const out = this.block
          this.block = new Float32Array(4096)
          this.filled = 0
          this.port.postMessage(out, [out.buffer])
        }
      }
    }
    return true
  }
}

registerProcessor('pcm-capture', PcmCapture)
