import busboy from 'busboy'
import { createWriteStream } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { SttError } from './errors.ts'

export type Upload = {
  /** The `file` part, streamed to `path`; `head` holds its first bytes for sniffing. */
  file?: { path: string; filename: string; bytes: number; head: Uint8Array }
  fields: Record<string, string[]>
}

const HEAD_BYTES = 4096

/** Streams the multipart body: the `file` part to `filePath`, small fields to memory. */
export function readUpload(req: IncomingMessage, filePath: string, maxBytes: number) {
  return new Promise<Upload>((resolve, reject) => {
    let bb: busboy.Busboy
    try {
      bb = busboy({
        headers: req.headers,
        limits: { files: 1, fileSize: maxBytes, fields: 20, fieldSize: 64 * 1024 },
      })
    } catch {
      return reject(
        new SttError(400, 'the body must be multipart/form-data', 'invalid_content_type')
      )
    }
    const upload: Upload = { fields: {} }
    let writing: Promise<void> = Promise.resolve()
    let failed = false
    const fail = (err: SttError) => {
      if (failed) return
      failed = true
      req.unpipe(bb)
      bb.destroy()
      req.resume() // drain, so the error response can be read by the client
      reject(err)
    }

    bb.on('file', (name, stream, info) => {
      if (name !== 'file' || upload.file) return void stream.resume()
      const file = {
        path: filePath,
        filename: info.filename ?? '',
        bytes: 0,
        head: new Uint8Array(),
      }
      upload.file = file
      const chunks: Buffer[] = []
      const meter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          if (file.bytes < HEAD_BYTES) chunks.push(chunk.subarray(0, HEAD_BYTES - file.bytes))
          file.bytes += chunk.length
          done(null, chunk)
        },
      })
      stream.on('limit', () =>
        fail(
          new SttError(413, `the file is larger than ${maxBytes} bytes`, 'file_too_large', 'file')
        )
      )
      writing = pipeline(stream, meter, createWriteStream(filePath)).then(() => {
        file.head = new Uint8Array(Buffer.concat(chunks))
      })
      writing.catch(() => {}) // seen in 'close'; this only keeps an early failure handled
    })
    bb.on('field', (name, value) => {
      ;(upload.fields[name] ??= []).push(value)
    })
    bb.on('error', (err: Error) =>
      fail(new SttError(400, `malformed multipart body: ${err.message}`, 'invalid_multipart'))
    )
    bb.on('close', () => {
      writing.then(
        () => failed || resolve(upload),
        (err: Error) =>
          fail(new SttError(400, `the upload broke off: ${err.message}`, 'invalid_multipart'))
      )
    })
    req.on('aborted', () => fail(new SttError(400, 'the client went away', 'aborted')))
    req.pipe(bb)
  })
}
