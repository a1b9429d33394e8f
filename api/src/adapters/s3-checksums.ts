import { createHash } from 'node:crypto'
import type { Hash } from 'node:crypto'

const HEAD_BYTES = 64 * 1024

/**
 * Hashes an upload as it streams: the SHA-256 of the whole file (stored with the recording),
 * and the SHA-256 of each `partSize` slice, which is how a multipart upload cuts it. S3 reports
 * a multipart object's checksum as the SHA-256 of the parts' binary digests, base64, then
 * `-<part count>` ("composite"); computing it here lets the store compare the server's answer.
 */
export function createStreamHasher(partSize: number) {
  const whole = createHash('sha256')
  const partDigests: Buffer[] = []
  let part: Hash = createHash('sha256')
  let inPart = 0
  let size = 0
  const head = new Uint8Array(HEAD_BYTES)
  return {
    get size() {
      return size
    },
    update(chunk: Uint8Array) {
      if (size < HEAD_BYTES) head.set(chunk.subarray(0, HEAD_BYTES - size), size)
      size += chunk.byteLength
      whole.update(chunk)
      for (let at = 0; at < chunk.byteLength;) {
        const take = Math.min(partSize - inPart, chunk.byteLength - at)
        part.update(chunk.subarray(at, at + take))
        inPart += take
        at += take
        if (inPart === partSize) {
          partDigests.push(part.digest())
          part = createHash('sha256')
          inPart = 0
        }
      }
    },
    head: () => head.slice(0, Math.min(size, HEAD_BYTES)),
    digest() {
      if (inPart > 0 || partDigests.length === 0) partDigests.push(part.digest())
      const composite = createHash('sha256').update(Buffer.concat(partDigests)).digest('base64')
      return {
        sha256: whole.digest('hex'),
        parts: partDigests.length,
        composite: `${composite}-${partDigests.length}`,
      }
    },
  }
}
