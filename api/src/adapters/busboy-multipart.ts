import busboy from 'busboy'
import { Readable } from 'node:stream'
import type { ReadableStream as NodeWebStream } from 'node:stream/web'
import type { FilePart, MultipartReader, UploadLimits } from '../uploads/multipart.ts'
import { UploadError } from '../uploads/multipart.ts'

/** busboy streams each part with bounded memory and enforces size limits while reading. */
export function createBusboyReader(): MultipartReader {
  return {
    read(
      request: Request,
      limits: UploadLimits,
      onFile: (part: FilePart) => Promise<void>,
      runtimeBody?: unknown
    ) {
      return new Promise((resolve, reject) => {
        const contentType = request.headers.get('content-type') ?? ''
        // On Node the request's own IncomingMessage is piped straight into busboy: going through
        // request.body would wrap it as a web stream and unwrap it again, a promise and a
        // few objects per chunk (a large share of an upload's CPU, most of it garbage).
        const native =
          runtimeBody instanceof Readable && !runtimeBody.readableDidRead ? runtimeBody : undefined
        if (!native && !request.body)
          return reject(new UploadError('MALFORMED', 'the request has no body'))
        let bb: busboy.Busboy
        try {
          bb = busboy({
            headers: { 'content-type': contentType },
            // Keep the name as sent: the caller refuses paths such as ../x rather than trusting
            // busboy to strip them silently.
            preservePath: true,
            limits: {
              fileSize: limits.maxFileBytes,
              fields: limits.maxFields,
              fieldSize: limits.maxFieldBytes,
              files: limits.maxFiles,
              parts: limits.maxFields + limits.maxFiles,
            },
          })
        } catch (err) {
          return reject(
            new UploadError(
              'MALFORMED',
              `not a multipart/form-data body: ${(err as Error).message}`
            )
          )
        }
        const source =
          native ?? Readable.fromWeb(request.body as unknown as NodeWebStream<Uint8Array>)
        const fields: Record<string, string> = {}
        const pending: Promise<unknown>[] = []
        let failure: unknown

        const fail = (err: unknown) => {
          if (failure) return
          failure = err
          source.unpipe(bb)
          source.destroy()
          bb.destroy(err instanceof Error ? err : new Error(String(err)))
          void Promise.allSettled(pending).then(() => reject(err))
        }

        bb.on('file', (field, stream, info) => {
          if (failure) return void stream.resume()
          // The consumer sees errors by iterating; this keeps an error raised before it starts
          // (e.g. the limit hit while the temporary file is being opened) from going uncaught.
          stream.on('error', () => {})
          stream.on('limit', () => {
            const err = new UploadError(
              'TOO_LARGE',
              `the file is larger than ${limits.maxFileBytes} bytes`
            )
            stream.destroy(err)
            // Stop reading now: busboy would otherwise keep draining the rest of the body.
            fail(err)
          })
          const part = {
            field,
            filename: info.filename ?? '',
            mediaType: info.mimeType,
            chunks: stream,
          }
          pending.push(
            onFile(part).catch((err: unknown) => {
              stream.resume()
              fail(err)
            })
          )
        })
        bb.on('field', (name, value, info) => {
          if (info.nameTruncated || info.valueTruncated) {
            return fail(
              new UploadError('FIELD_TOO_LONG', `the field "${name.slice(0, 40)}" is too long`)
            )
          }
          if (Object.hasOwn(fields, name))
            return fail(new UploadError('MALFORMED', `the field "${name}" appears twice`))
          fields[name] = value
        })
        for (const ev of ['fieldsLimit', 'filesLimit', 'partsLimit'] as const) {
          bb.on(ev, () => fail(new UploadError('TOO_MANY_PARTS', 'the form has too many parts')))
        }
        bb.on('error', (err: Error) =>
          fail(
            err instanceof UploadError
              ? err
              : new UploadError(
                  /end of|unexpected/i.test(err.message) ? 'TRUNCATED' : 'MALFORMED',
                  `malformed multipart body: ${err.message}`
                )
          )
        )
        bb.on('close', () => {
          void Promise.allSettled(pending).then(() => {
            if (!failure) resolve(fields)
          })
        })
        source.on('error', () => fail(new UploadError('TRUNCATED', 'the upload was interrupted')))
        source.pipe(bb)
      })
    },
  }
}
