import { describe, expect, it } from 'vitest'
import { openStore } from './db.ts'

const done = <T>(r: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    r.onsuccess = () => resolve(r.result)
    r.onerror = () => reject(r.error)
  })

describe('the device store', () => {
  it('keeps the session for the service worker, and forgets it on sign-out', async () => {
    const store = await openStore('db-test-session')
    expect(await store.getSession()).toBeNull()
    await store.setSession({ token: 'tok', expiresAt: 123 })
    store.close()
    const again = await openStore('db-test-session')
    expect(await again.getSession()).toEqual({ token: 'tok', expiresAt: 123 })
    await again.setSession(null)
    expect(await again.getSession()).toBeNull()
    again.close()
  })

  it('upgrades a database of the first version without losing a recording', async () => {
    // What the first release of the app left on a device: version 1, no session store.
    const v1 = indexedDB.open('db-test-upgrade', 1)
    v1.onupgradeneeded = () => {
      v1.result.createObjectStore('recordings', { keyPath: 'id' })
      v1.result.createObjectStore('chunks', { keyPath: ['recordingId', 'seq'] })
    }
    const old = await done(v1)
    const tx = old.transaction('recordings', 'readwrite')
    tx.objectStore('recordings').put({ id: 'rec-old', createdAt: 1, status: 'pending' })
    await new Promise((r) => (tx.oncomplete = r))
    old.close()

    const store = await openStore('db-test-upgrade')
    expect((await store.list()).map((r) => r.id)).toEqual(['rec-old'])
    await store.setSession({ token: 't', expiresAt: 1 })
    expect(await store.getSession()).toEqual({ token: 't', expiresAt: 1 })
    store.close()
  })

  it('updates a recording as stored now, and never brings back one that was removed', async () => {
    const store = await openStore('db-test-update')
    const rec = {
      id: 'rec-u',
      createdAt: 1,
      status: 'uploading' as const,
      template: 'soap' as const,
      language: 'en',
      patientRef: '',
      sampleRate: 16_000,
      durationMs: 0,
      bytes: 0,
      chunkCount: 0,
      attempts: 0,
      nextAttemptAt: 5,
      lastError: null,
    }
    await store.put(rec)
    await store.appendChunk('rec-u', 0, new Int16Array([1, 2]).buffer)
    // A copy read before the chunk was stored must not undo its counters.
    await store.update('rec-u', (now) => ({ ...now, status: 'pending' }))
    expect(await store.get('rec-u')).toMatchObject({ status: 'pending', bytes: 4, chunkCount: 1 })
    await store.update('rec-u', () => null)
    expect((await store.get('rec-u'))?.status).toBe('pending')

    await store.remove('rec-u') // uploaded and acknowledged, in another tab
    await store.update('rec-u', (now) => ({ ...now, nextAttemptAt: 0 }))
    expect(await store.get('rec-u')).toBeUndefined()
    store.close()
  })
})
