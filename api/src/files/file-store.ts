// Where audio and notes live on disk. Paths are relative to an area's root folder and chosen by
// the API, never by a client.
export type Area = 'audio' | 'notes'

export type TempFile = {
  area: Area
  tempPath: string
  size: number
  sha256: string
  /** The first bytes, kept to recognise the format without reading the file again. */
  head: Uint8Array
}

export class FileTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`file is larger than ${limit} bytes`)
  }
}

/** The area's filesystem has no room left: nothing was kept, the caller may retry later. */
export class StorageFullError extends Error {
  constructor(readonly area: Area) {
    super(`the ${area} volume is full`)
  }
}

/**
 * The store cannot be reached, or answers that it is overloaded (5xx, SlowDown, a timeout):
 * nothing was kept, and the same request may succeed after `retryAfterSeconds`.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError'
  constructor(
    readonly reason: string,
    readonly retryAfterSeconds: number
  ) {
    super(`the object store is unavailable: ${reason}`)
  }
}

export interface FileStore {
  /** Streams into a temporary file, fsyncs it, and hashes it on the way; nothing visible yet. */
  writeTemp(area: Area, chunks: AsyncIterable<Uint8Array>, maxBytes: number): Promise<TempFile>
  /** Renames a temporary file to its final path and fsyncs the folder: the file now exists durably. */
  commit(temp: TempFile, path: string): Promise<void>
  discard(temp: TempFile): Promise<void>
  /** Writes a whole small file atomically (temporary file, fsync, rename). */
  writeAtomic(
    area: Area,
    path: string,
    bytes: Uint8Array
  ): Promise<{ sha256: string; size: number }>
  read(area: Area, path: string): Promise<Uint8Array>
  size(area: Area, path: string): Promise<number | undefined>
  stream(
    area: Area,
    path: string,
    range?: { start: number; end: number }
  ): ReadableStream<Uint8Array>
  remove(area: Area, path: string): Promise<void>
  /** Every file of an area (temporary and quarantined ones excluded), with its modification time. */
  list(area: Area): Promise<{ path: string; modifiedAt: number }[]>
  /** Moves a file aside into `.orphans/` for an operator to look at; audio is never deleted. */
  quarantine(area: Area, path: string): Promise<void>
  /** Free bytes on the area's filesystem, and whether a file can be created there. */
  check(area: Area): Promise<{ writable: boolean; freeBytes: number }>
  /**
   * Removes temporary files and pending uploads older than `olderThanMs` (object storage: its
   * `.tmp/` objects and multipart uploads), for the periodic sweep; committed files are never
   * touched. Absent where start-up alone cleans up (the disk store: one volume per host).
   */
  sweepTemp?(olderThanMs: number): Promise<{ removed: string[]; aborted: string[] }>
}
