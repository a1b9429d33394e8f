import { S3Client } from '@aws-sdk/client-s3'
import type { Config } from '../config.ts'

/**
 * An S3 client for AWS or any compatible server. Checksums are computed only where the store
 * asks for SHA-256 (uploads, copies), not the SDK's default CRC32 on every request, which
 * several S3-compatible servers refuse; responses are not re-validated (ranged GETs).
 * Without keys the SDK's default chain applies (instance role, AWS_* variables).
 */
export function createS3Client(
  config: Config,
  /** A request with no byte moving for `requestTimeoutMs` is cut (and retried). */
  timeouts: { connectionTimeoutMs?: number; requestTimeoutMs?: number } = {}
): S3Client {
  return new S3Client({
    region: config.S3_REGION,
    ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    ...(config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
      ? {
          credentials: {
            accessKeyId: config.S3_ACCESS_KEY_ID,
            secretAccessKey: config.S3_SECRET_ACCESS_KEY,
          },
        }
      : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // 503 SlowDown, 500 and timeouts are retried with backoff and jitter by the SDK.
    maxAttempts: 4,
    requestHandler: {
      connectionTimeout: timeouts.connectionTimeoutMs ?? 5_000,
      requestTimeout: timeouts.requestTimeoutMs ?? 60_000,
      // Without it the SDK only logs a warning and the request hangs on.
      throwOnRequestTimeout: true,
    },
  })
}
