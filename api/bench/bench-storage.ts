// `npm run bench:storage [-- --size-mb 64 --runs 3]` (make bench-storage): upload ingest
// MB/s with STORAGE=s3 (a local SeaweedFS, built by `make seaweedfs`) against STORAGE=disk, in
// one run on one machine: the same WAV POSTed to /api/recordings of the API (in process, on a
// loopback port; no worker, so only ingest is measured), median of runs, and the ratio. The
// disk store fsyncs and renames; the object store streams a multipart upload with per-part
// SHA-256, then copies server-side with a whole-object SHA-256 before the 202.
import { mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgv } from 'zx'
import { createHarness } from '../../tests/support/harness.ts'
import { startS3Server } from '../../tests/support/s3-server.ts'
import { ensureSeaweedfs } from '../../ops/steps/tools/seaweedfs.ts'
import { MiB, uploadRecording, writeWav } from './uploads.ts'

const argv = parseArgv(process.argv.slice(2), { string: ['size-mb', 'runs'] })
const sizeMb = Number(argv['size-mb'] ?? 64)
const runs = Number(argv.runs ?? 3)
if (!(sizeMb > 0 && sizeMb <= 190) || !(runs >= 1 && runs <= 20)) {
  console.error('usage: npm run bench:storage -- [--size-mb 1..190] [--runs 1..20]')
  process.exit(1)
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

await ensureSeaweedfs()
const dir = await mkdtemp(join(tmpdir(), 'bench-storage-'))
const s3 = await startS3Server()
try {
  const wav = join(dir, 'bench.wav')
  const size = sizeMb * MiB
  await writeWav(wav, size)
  await s3.createBucket('bench')
  const results: Record<string, number> = {}
  for (const [label, env] of [
    ['disk', {}],
    ['s3', s3.env('bench', 'bench/')],
  ] as const) {
    const h = await createHarness({ env: { ...env, MAX_UPLOAD_MB: '200' }, concurrency: 0 })
    try {
      const port = Number(new URL(await h.listen()).port)
      const { token } = await h.addUser(`bench-${label}@example.org`)
      const rates: number[] = []
      // One warm-up upload (JIT, connections, the bucket's first volume), then the runs.
      for (let i = 0; i <= runs; i++) {
        const r = await uploadRecording({ port, token, file: wav, size })
        if (r.status !== 202) throw new Error(`${label}: upload answered ${r.status}: ${r.body}`)
        if (i > 0) rates.push(sizeMb / (r.ms / 1000))
      }
      results[label] = median(rates)
      console.log(
        `${label.padEnd(5)} ${results[label]!.toFixed(1).padStart(7)} MB/s  (median of ${runs} × ${sizeMb} MB: ${rates.map((r) => r.toFixed(1)).join(', ')})`
      )
    } finally {
      await h.close()
    }
  }
  console.log(
    `object store / disk store ingest: ${(results.s3! / results.disk!).toFixed(2)}× ` +
      `(load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')})`
  )
} finally {
  await s3.stop()
  await rm(dir, { recursive: true, force: true })
}
