import type { AppDeps } from '../deps.ts'

/** What ingesting an upload uses: the size limit, the file store and the multipart parser. */
export type IngestDeps = Pick<AppDeps, 'files' | 'multipart'> & {
  config: Pick<AppDeps['config'], 'MAX_UPLOAD_BYTES'>
}
import type { TempFile } from '../files/file-store.ts'
import { FileTooLargeError, StorageFullError } from '../files/file-store.ts'
import { UploadError } from './multipart.ts'
import { ApiError } from '../errors.ts'
import type { AudioFormat } from './audio-format.ts'
import { detectAudio } from './audio-format.ts'

export type Ingested = {
  temp: TempFile
  filename: string
  format: AudioFormat
  fields: Record<string, string>
}

const MAX_FIELD_BYTES = 1024
// Room for the multipart headers and text fields around the file.
const ENVELOPE_BYTES = 64 * 1024

const unsafeName = (name: string) =>
  name.includes('\0') || /(^|[\\/])\.\.([\\/]|$)/.test(name) || name.length > 255

function toApiError(err: unknown, limit: number): ApiError {
  if (err instanceof ApiError) return err
  if (
    err instanceof FileTooLargeError ||
    (err instanceof UploadError && err.kind === 'TOO_LARGE')
  ) {
    return new ApiError({
      code: 'PAYLOAD_TOO_LARGE',
      message: `the audio is larger than the ${Math.round(limit / 1048576)} MB limit`,
    })
  }
  if (err instanceof StorageFullError) {
    // Nothing was kept (the temporary file is removed); /health/ready names the volume too.
    return new ApiError({
      code: 'INSUFFICIENT_STORAGE',
      message: 'the recordings volume is full: the upload was not stored, retry it later',
    })
  }
  if (err instanceof UploadError) {
    const prefix = err.kind === 'TRUNCATED' ? 'the upload is incomplete' : 'the form is not valid'
    return new ApiError({ code: 'BAD_REQUEST', message: `${prefix}: ${err.message}` })
  }
  throw err
}

/**
 * Streams one audio file of a multipart form into a temporary file and checks it. On any
 * failure, everything written is removed before the error is thrown: nothing is left behind.
 */
export async function ingestUpload(
  deps: IngestDeps,
  request: Request,
  fileField: string,
  runtimeBody?: unknown
): Promise<Ingested> {
  const limit = deps.config.MAX_UPLOAD_BYTES
  const type = request.headers.get('content-type') ?? ''
  if (!/^multipart\/form-data/i.test(type)) {
    throw new ApiError({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'send the audio as multipart/form-data',
    })
  }
  const declared = Number(request.headers.get('content-length') ?? NaN)
  if (declared > limit + ENVELOPE_BYTES) throw toApiError(new FileTooLargeError(limit), limit)

  const temps: TempFile[] = []
  let file: { filename: string } | undefined
  const cleanup = () => Promise.all(temps.map((t) => deps.files.discard(t)))
  try {
    const fields = await deps.multipart.read(
      request,
      { maxFileBytes: limit, maxFieldBytes: MAX_FIELD_BYTES, maxFields: 8, maxFiles: 2 },
      async (part) => {
        if (part.field !== fileField)
          throw new ApiError({
            code: 'BAD_REQUEST',
            message: `unexpected file field "${part.field.slice(0, 40)}"`,
          })
        if (file)
          throw new ApiError({
            code: 'BAD_REQUEST',
            message: `send exactly one "${fileField}" file`,
          })
        if (unsafeName(part.filename))
          throw new ApiError({ code: 'BAD_REQUEST', message: 'the file name is not allowed' })
        file = { filename: part.filename }
        temps.push(await deps.files.writeTemp('audio', part.chunks, limit))
      },
      runtimeBody
    )
    const temp = temps[0]
    if (!file || !temp)
      throw new ApiError({ code: 'BAD_REQUEST', message: `the "${fileField}" file is missing` })
    if (temp.size === 0)
      throw new ApiError({ code: 'BAD_REQUEST', message: 'the audio file is empty' })
    const format = await detectAudio(temp.head)
    if (!format)
      throw new ApiError({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'the file is not audio in a format we accept',
      })
    return { temp, filename: file.filename, format, fields }
  } catch (err) {
    await cleanup()
    throw toApiError(err, limit)
  }
}
