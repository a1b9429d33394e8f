// The read-only half of a restore: which snapshot, and how the stack differs from it. These run
// in a dry run too, which then lists every difference.
import { echo } from 'zx'
import { StopError } from '../../lib/errors.ts'
import { compareManifests, volumeFiles } from '../../lib/manifest.ts'
import type { Difference, Manifest } from '../../lib/manifest.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { formatBytes } from '../../lib/restic.ts'
import { pickSnapshot } from '../../lib/snapshots.ts'
import { detail } from '../../lib/step.ts'
import { describeBucket } from '../../lib/object-store.ts'
import { liveTableCounts, stackState, withPostgres } from '../../lib/volumes.ts'
import type { RestoreContext } from './context.ts'
import { liveFiles } from './objects.ts'

export const password = defineStep<RestoreContext>({
  name: 'repository password',
  changes: false,
  run: async (c) => {
    await c.restic.requirePassword()
    return c.restic.passwordFile
  },
})

export const snapshot = defineStep<RestoreContext>({
  name: 'snapshot',
  changes: false,
  run: async (c) => {
    c.snap = await pickSnapshot(c.restic, c.snapshotId, c.project)
    // A snapshot named by id may be of another stack (another clinic's, a test's): restoring it
    // would replace this one's patients with theirs. Only a move said out loud goes on.
    const of = c.snap.tags?.find((t) => t.startsWith('project='))?.slice('project='.length)
    const from = c.fromProject ?? c.project
    if (of !== from)
      throw new StopError(
        `snapshot ${c.snap.short_id} is of the project ${of ?? '(none)'}, not ${c.project}: nothing was changed`,
        of && !c.fromProject
          ? `to move that stack's data into ${c.project}, say so: make restore ARGS="--snapshot ${c.snap.short_id} --from-project ${of}"`
          : `pick a snapshot of ${from} (restic snapshots --tag project=${from})`
      )
    return `${c.snap.short_id} (${c.snap.time.slice(0, 19)}Z)${of !== c.project ? ` of ${of}` : ''}`
  },
})

function plan(diffs: Difference[]): string[] {
  const verb = { missing: 'add', extra: 'remove', changed: 'replace', rows: 'rows' } as const
  return diffs.map((d) =>
    d.kind === 'rows' ? `table ${d.what}: ${d.detail}` : `${verb[d.kind]} ${d.what} (${d.detail})`
  )
}

export const compare = defineStep<RestoreContext>({
  name: 'compare the snapshot with the stack',
  changes: false,
  run: async (c) => {
    const m = JSON.parse(await c.restic.dump(c.snap!.id, '/manifest.json')) as Manifest
    const state = await stackState(c.project)
    c.state = state
    const files = await liveFiles(c)
    const tables = state.existing.has(state.volumes.pgdata)
      ? await withPostgres(state, c.env, liveTableCounts)
      : {}
    c.manifest = m
    c.diffs = compareManifests({ files: volumeFiles(m.files), tables: m.tables }, { files, tables })
    const wanted = volumeFiles(m.files)
    const rows = Object.values(m.tables).reduce((a, b) => a + b, 0)
    echo(
      `Restore snapshot ${c.snap!.short_id} of ${m.project} (taken ${m.createdAt}) into the project ${c.project}:\n` +
        `  ${c.bucket ? `puts back into ${describeBucket(c.bucket)} what differs of` : `replaces the volumes ${state.volumes.audio} and ${state.volumes.notes} with`} ${wanted.length} files (${formatBytes(wanted.reduce((a, f) => a + f.size, 0))})\n` +
        `  replaces the database scribe with ${Object.keys(m.tables).length} tables, ${rows} rows\n` +
        `  the API (${state.containers.get('api')?.name ?? 'not created'}) is stopped meanwhile`
    )
    const lines = plan(c.diffs)
    for (const line of c.dryRun ? lines : lines.slice(0, 20)) detail(line)
    if (!c.dryRun && lines.length > 20)
      detail(`… and ${lines.length - 20} more (--dry-run lists all)`)
    if (lines.length === 0) detail('the stack already matches the snapshot')
    return `${c.diffs.length} difference(s)`
  },
})
