// Streaming multipart reading, behind an interface so the route stays web-standard.
export type UploadLimits = {
  maxFileBytes: number
  maxFieldBytes: number
  maxFields: number
  maxFiles: number
}

export type FilePart = {
  field: string
  filename: string
  mediaType: string
  chunks: AsyncIterable<Uint8Array>
}

export type UploadErrorKind =
  'TRUNCATED' | 'TOO_LARGE' | 'FIELD_TOO_LONG' | 'TOO_MANY_PARTS' | 'MALFORMED'

export class UploadError extends Error {
  constructor(
    readonly kind: UploadErrorKind,
    message: string
  ) {
    super(message)
    this.name = 'UploadError'
  }
}

export interface MultipartReader {
  /**
   * Reads the body as it arrives and hands each file part to `onFile` as a stream; resolves with
   * the text fields once every part has been consumed. On any failure it waits for the `onFile`
   * calls to settle before rejecting, so the caller can clean up what they wrote.
   */
  read(
    request: Request,
    limits: UploadLimits,
    onFile: (part: FilePart) => Promise<void>,
    /** The runtime's own body stream when the entry exposes one (see ingestUpload). */
    runtimeBody?: unknown
  ): Promise<Record<string, string>>
  /**
   * Reads the rest of a body the route will not use and throws it away (bounded), so that its
   * answer reaches a client behind a proxy that is still sending; see adapters/discard-rest.ts.
   */
  discard(request: Request, maxBytes: number, runtimeBody?: unknown): Promise<void>
}
