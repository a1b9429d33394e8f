#!/usr/bin/env -S npx tsx
// Proves the newest backup can be read back: restic check reads every pack, then the snapshot
// is restored into a scratch folder and every file compared with its manifest.
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { runScript } from './lib/main.ts'
import { runPipeline } from './lib/pipeline.ts'
import { loadBackupEnv } from './lib/restic.ts'
import { createVerifyContext, verifyPipeline } from './steps/verify/index.ts'

const USAGE = `
Usage: npx tsx ops/backup-verify.ts [--snapshot ID] [--quick] [--project NAME]   (make backup-verify)

  1. restic check --read-data: every pack file is read and its checksum verified
     (--quick: the structure only, no pack data read);
  2. restores the newest snapshot (or --snapshot ID) into build/backup/<project>/verify;
  3. compares every file with the snapshot's manifest (size and SHA-256) and every
     table's row count in the dump with it.
  Any damage is listed by name (pack file, and the files whose data it held) and the exit is 1.
`

await runScript(async () => {
  const env = await loadBackupEnv()
  const flags = parseArgs({
    usage: USAGE,
    boolean: ['quick'],
    string: ['snapshot', 'project'],
    shape: {
      quick: z.boolean().default(false),
      snapshot: z
        .string()
        .regex(/^[0-9a-f]{4,64}$/)
        .optional(),
      project: z.string().default(env.COMPOSE_PROJECT_NAME),
    },
  })
  const ctx = createVerifyContext({
    env,
    project: flags.project,
    quick: flags.quick,
    ...(flags.snapshot ? { snapshotId: flags.snapshot } : {}),
  })
  await runPipeline(verifyPipeline, ctx)
})
