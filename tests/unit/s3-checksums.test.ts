import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createStreamHasher } from '../../api/src/adapters/s3-checksums.ts'

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest()

describe('stream hasher', () => {
  it('should give the whole SHA-256 and the multipart composite whatever the chunk sizes', () => {
    const data = new Uint8Array(2500).map((_, i) => (i * 7) % 251)
    const hasher = createStreamHasher(1000)
    // Chunks that straddle the part boundaries.
    for (const [from, to] of [
      [0, 300],
      [300, 1700],
      [1700, 1701],
      [1701, 2500],
    ] as const)
      hasher.update(data.subarray(from, to))
    const digest = hasher.digest()
    expect(digest.sha256).toBe(sha(data).toString('hex'))
    const parts = [data.subarray(0, 1000), data.subarray(1000, 2000), data.subarray(2000)]
    const composite = sha(Buffer.concat(parts.map(sha))).toString('base64')
    expect(digest).toMatchObject({ parts: 3, composite: `${composite}-3` })
    expect(hasher.size).toBe(2500)
    expect(hasher.head()).toEqual(data)
  })

  it('should count an exact multiple of the part size as that many parts', () => {
    const hasher = createStreamHasher(4)
    hasher.update(new Uint8Array(8))
    expect(hasher.digest().parts).toBe(2)
  })
})
