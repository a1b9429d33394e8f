import busboy from 'busboy'
import { Readable } from 'node:stream'
import type { ReadableStream as NodeWebStream } from 'node:stream/web'
import type { FilePart, MultipartReader, UploadLimits } from '../uploads/multipart.ts'
import { UploadError } from '../uploads/multipart.ts'
import { discardRest } from './discard-rest.ts'

// What a refused upload may still send before the answer, beyond its file limit (the form's
// other parts), and how long it may take: a slow phone's last seconds, not its whole upload.
const DISCARD_SLACK_BYTES = 1024 * 1024
const DISCARD_MS = 30_000

/** busboy streams each part with bounded memory and enforces size limits while reading. */
/** The runtime's own stream when nobody has read it yet, else the request's web stream. */
function bodyStream(request: Request, runtimeBody: unknown): Readable | undefined {
  if (runtimeBody instanceof Readable && !runtimeBody.readableDidRead) return runtimeBody
  return request.body
    ? Readable.fromWeb(request.body as unknown as NodeWebStream<Uint8Array>)
    : undefined
}

export function createBusboyReader(): MultipartReader {
  return {
    async discard(request: Request, maxBytes: number, runtimeBody?: unknown) {
      // The runtime's stream knows whether it ended; a web body once used was read to its end
      // or cancelled by whoever used it.
      const source =
        runtimeBody instanceof Readable
          ? runtimeBody
          : request.body && !request.bodyUsed
            ? Readable.fromWeb(request.body as unknown as NodeWebStream<Uint8Array>)
            : undefined
      if (source) await discardRest(source, maxBytes, DISCARD_MS)
    },
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
        const source = bodyStream(request, native)!
        const fields: Record<string, string> = {}
        const pending: Promise<unknown>[] = []
        let failure: unknown

        // The answer waits until the rest of the body is read and thrown away (bounded): sent
        // earlier, it is lost behind the edge (a disk-full 507 became the edge's 503).
        const fail = (err: unknown) => {
          if (failure) return
          failure = err
          source.unpipe(bb)
          bb.destroy(err instanceof Error ? err : new Error(String(err)))
          const rest = discardRest(source, limits.maxFileBytes + DISCARD_SLACK_BYTES, DISCARD_MS)
          void Promise.allSettled([...pending, rest]).then(() => reject(err))
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
            // Stop parsing now; the rest of the body is only read and thrown away (bounded).
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
