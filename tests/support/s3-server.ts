// A real S3 server for the object-storage tests: SeaweedFS (`weed server -s3`, built once and
// cached by ops/steps/tools/seaweedfs.ts), as a process on 127.0.0.1 with free ports and a
// temporary data folder. It runs with an access key (an s3 config with one identity): without
// one SeaweedFS allows everything, and the tests would not prove that requests are signed.
import { createHash } from 'node:crypto'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'
import { seaweedfsBin, weedVersion } from '../../ops/steps/tools/seaweedfs.ts'
import { freePort, startLocalServer } from './local-server.ts'

export type StartedS3 = {
  endpoint: string
  region: string
  accessKeyId: string
  secretAccessKey: string
  /** A client as the API builds it (path-style, SHA-256 only where asked). */
  client(credentials?: { accessKeyId: string; secretAccessKey: string }): S3Client
  createBucket(name: string): Promise<void>
  /** The API's STORAGE=s3 settings for a bucket of this server. */
  env(bucket: string, prefix?: string): Record<string, string>
  stop(): Promise<void>
}

/**
 * The SHA-256 values a server may report for an object (base64): of the whole object, and, for
 * one stored by a multipart upload of `partSize` parts, S3's composite (the SHA-256 of the
 * parts' digests, then `-<parts>`), which SeaweedFS keeps through a copy.
 */
export function sha256Checksums(bytes: Uint8Array, partSize: number): string[] {
  const whole = createHash('sha256').update(bytes).digest('base64')
  if (bytes.byteLength <= partSize) return [whole]
  const parts: Buffer[] = []
  for (let at = 0; at < bytes.byteLength; at += partSize)
    parts.push(
      createHash('sha256')
        .update(bytes.subarray(at, at + partSize))
        .digest()
    )
  const composite = createHash('sha256').update(Buffer.concat(parts)).digest('base64')
  return [whole, `${composite}-${parts.length}`]
}

export async function startS3Server(): Promise<StartedS3> {
  const bin = seaweedfsBin()
  if (!(await weedVersion(bin)))
    throw new Error(`${bin} is missing: the global setup builds it (make seaweedfs)`)
  const dir = await mkdtemp(join(tmpdir(), 'scribe-s3-'))
  const accessKeyId = 'scribe-test-key'
  const secretAccessKey = `secret-${crypto.randomUUID()}`
  const config = join(dir, 's3.json')
  await writeFile(
    config,
    JSON.stringify({
      identities: [
        {
          name: 'scribe',
          credentials: [{ accessKey: accessKeyId, secretKey: secretAccessKey }],
          actions: ['Admin', 'Read', 'Write', 'List', 'Tagging'],
        },
      ],
    })
  )
  // Every listener on its own free port: the gRPC ports default to HTTP port + 10000, which
  // may be taken or out of range.
  const names = [
    'master',
    'masterGrpc',
    'volume',
    'volumeGrpc',
    'filer',
    'filerGrpc',
    's3',
    's3Grpc',
  ]
  const ports: Record<string, number> = {}
  for (const n of names) ports[n] = await freePort()
  const args = [
    'server',
    '-ip=127.0.0.1',
    '-ip.bind=127.0.0.1',
    `-dir=${dir}`,
    '-master.telemetry=false',
    '-master.volumeSizeLimitMB=64',
    '-volume.max=32',
    `-master.port=${ports.master}`,
    `-master.port.grpc=${ports.masterGrpc}`,
    `-volume.port=${ports.volume}`,
    `-volume.port.grpc=${ports.volumeGrpc}`,
    '-filer',
    `-filer.port=${ports.filer}`,
    `-filer.port.grpc=${ports.filerGrpc}`,
    '-s3',
    `-s3.port=${ports.s3}`,
    `-s3.port.grpc=${ports.s3Grpc}`,
    '-s3.port.iceberg=0',
    '-s3.port.lance=0',
    `-s3.config=${config}`,
  ]
  const endpoint = `http://127.0.0.1:${ports.s3}`
  const region = 'us-east-1'
  const client = (credentials = { accessKeyId, secretAccessKey }) =>
    new S3Client({
      endpoint,
      region,
      forcePathStyle: true,
      credentials,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 1,
    })
  const admin = client()
  async function createBucket(name: string) {
    await admin.send(new CreateBucketCommand({ Bucket: name }))
  }
  // Ready when a bucket can be created: master, volume, filer and gateway all answer.
  const probe = `ready-${crypto.randomUUID().slice(0, 8)}`
  const server = await startLocalServer({
    name: 'SeaweedFS',
    bin,
    args,
    dir,
    ready: () => createBucket(probe).then(() => true),
    timeoutMs: 60_000,
    pollMs: 200,
    stopSignal: 'SIGTERM',
  })
  return {
    endpoint,
    region,
    accessKeyId,
    secretAccessKey,
    client,
    createBucket,
    env: (bucket, prefix = '') => ({
      STORAGE: 's3',
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_PREFIX: prefix,
      S3_REGION: region,
      S3_ACCESS_KEY_ID: accessKeyId,
      S3_SECRET_ACCESS_KEY: secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
    }),
    async stop() {
      admin.destroy()
      await server.stop()
    },
  }
}
