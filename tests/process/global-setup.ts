// The process suite's tests that need a real S3 server run SeaweedFS; it is built here once
// (cached under ~/.cache/medic-scribe/tools/, several minutes cold on 2 cores, with progress
// lines), so a fresh machine's `make test` builds it by itself.
import { ensureSeaweedfs } from '../../ops/steps/tools/seaweedfs.ts'

export default async function setup(): Promise<void> {
  const started = performance.now()
  const bin = await ensureSeaweedfs()
  console.log(`SeaweedFS ready: ${bin} (${Math.round((performance.now() - started) / 1000)} s)`)
}
