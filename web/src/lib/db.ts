// The device's store of recordings: metadata in `recordings`, PCM in `chunks` keyed
// [recordingId, seq]. A chunk and its recording's counters are written in one transaction, so
// what the metadata says is always on disk. Audio leaves only through remove(), which the upload
// queue calls after the server acknowledged the upload.

export type LocalStatus = 'capturing' | 'pending' | 'uploading' | 'failed'

export type LocalRecording = {
  /** Also the upload's Idempotency-Key. */
  id: string
  createdAt: number
  status: LocalStatus
  /** A built-in template's name or a template's id. */
  template: string
  language: string
  patientRef: string
  sampleRate: number
  /** `audio/webm;codecs=opus` or `audio/ogg;codecs=opus` (chunks are the container's bytes);
   * absent or `audio/wav`: chunks are 16-bit PCM, wrapped in a WAV header at upload. */
  mimeType?: string
  durationMs: number
  bytes: number
  chunkCount: number
  attempts: number
  nextAttemptAt: number
  lastError: string | null
}

export type LocalStore = {
  put(rec: LocalRecording): Promise<void>
  /**
   * Reads and rewrites one recording in a single transaction: `change` sees what is stored now
   * and returns the new record, or null to leave it. Nothing happens if it is gone.
   */
  update(id: string, change: (rec: LocalRecording) => LocalRecording | null): Promise<void>
  get(id: string): Promise<LocalRecording | undefined>
  list(): Promise<LocalRecording[]>
  /** Appends a chunk and bumps the recording's byte and chunk counts atomically. */
  appendChunk(id: string, seq: number, pcm: ArrayBuffer): Promise<void>
  chunks(id: string): Promise<ArrayBuffer[]>
  remove(id: string): Promise<void>
  /** The signed-in session, mirrored here so the service worker can upload with no tab open. */
  getSession(): Promise<StoredSession | null>
  setSession(session: StoredSession | null): Promise<void>
  close(): void
}

export type StoredSession = { token: string; expiresAt: number }

export const DB_NAME = 'medic-scribe'
const RECORDINGS = 'recordings'
const CHUNKS = 'chunks'
const SESSION = 'session'
const SESSION_KEY = 'current'

const done = <T>(r: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    r.onsuccess = () => resolve(r.result)
    r.onerror = () => reject(r.error)
  })

const committed = (tx: IDBTransaction) =>
  new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onerror = () => reject(tx.error)
    tx.onabort = () => reject(tx.error ?? new Error('the transaction was aborted'))
  })

const chunkRange = (id: string) => IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER])

export async function openStore(
  name = DB_NAME,
  factory: IDBFactory = indexedDB,
  /** A tab of an older version still holds the database open: the upgrade waits for it. */
  onBlocked: () => void = () => {}
): Promise<LocalStore> {
  const open = factory.open(name, 2)
  open.onblocked = onBlocked
  open.onupgradeneeded = (e) => {
    const db = open.result
    if (e.oldVersion < 1) {
      db.createObjectStore(RECORDINGS, { keyPath: 'id' })
      db.createObjectStore(CHUNKS, { keyPath: ['recordingId', 'seq'] })
    }
    if (e.oldVersion < 2) db.createObjectStore(SESSION)
  }
  const db = await done(open)
  // A newer version of the app (another tab, the service worker) wants to upgrade: let it.
  db.onversionchange = () => db.close()

  return {
    async put(rec) {
      const tx = db.transaction(RECORDINGS, 'readwrite')
      tx.objectStore(RECORDINGS).put(rec)
      await committed(tx)
    },
    async update(id, change) {
      const tx = db.transaction(RECORDINGS, 'readwrite')
      const recs = tx.objectStore(RECORDINGS)
      const get = recs.get(id)
      get.onsuccess = () => {
        const rec = get.result as LocalRecording | undefined
        const next = rec ? change(rec) : null
        if (next) recs.put(next)
      }
      await committed(tx)
    },
    async get(id) {
      return done(db.transaction(RECORDINGS).objectStore(RECORDINGS).get(id)) as Promise<
        LocalRecording | undefined
      >
    },
    async list() {
      const all = (await done(
        db.transaction(RECORDINGS).objectStore(RECORDINGS).getAll()
      )) as LocalRecording[]
      return all.sort((a, b) => a.createdAt - b.createdAt)
    },
    async appendChunk(id, seq, pcm) {
      const tx = db.transaction([RECORDINGS, CHUNKS], 'readwrite')
      const recs = tx.objectStore(RECORDINGS)
      const get = recs.get(id)
      get.onsuccess = () => {
        const rec = get.result as LocalRecording | undefined
        if (!rec) {
          tx.abort()
          return
        }
        tx.objectStore(CHUNKS).put({ recordingId: id, seq, data: pcm })
        recs.put({ ...rec, bytes: rec.bytes + pcm.byteLength, chunkCount: rec.chunkCount + 1 })
      }
      await committed(tx)
    },
    async chunks(id) {
      const rows = (await done(
        db.transaction(CHUNKS).objectStore(CHUNKS).getAll(chunkRange(id))
      )) as { seq: number; data: ArrayBuffer }[]
      return rows.sort((a, b) => a.seq - b.seq).map((r) => r.data)
    },
    async remove(id) {
      const tx = db.transaction([RECORDINGS, CHUNKS], 'readwrite')
      tx.objectStore(CHUNKS).delete(chunkRange(id))
      tx.objectStore(RECORDINGS).delete(id)
      await committed(tx)
    },
    async getSession() {
      const s = (await done(db.transaction(SESSION).objectStore(SESSION).get(SESSION_KEY))) as
        StoredSession | undefined
      return s ?? null
    },
    async setSession(session) {
      const tx = db.transaction(SESSION, 'readwrite')
      if (session) tx.objectStore(SESSION).put(session, SESSION_KEY)
      else tx.objectStore(SESSION).delete(SESSION_KEY)
      await committed(tx)
    },
    close() {
      db.close()
    },
  }
}
