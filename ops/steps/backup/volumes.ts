import { StopError } from '../../lib/errors.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { stackState } from '../../lib/volumes.ts'
import type { BackupContext } from './context.ts'

/** Reads which containers and volumes the project has; a missing volume stops the run. */
export const volumes = defineStep<BackupContext>({
  name: 'volumes',
  changes: false,
  run: async (c) => {
    const state = await stackState(c.project)
    // With STORAGE=s3 the files are objects: only the database's volume must be there.
    const needed = c.bucket ? [state.volumes.pgdata] : Object.values(state.volumes)
    const missing = needed.filter((v) => !state.existing.has(v))
    if (missing.length)
      throw new StopError(
        `no volume ${missing.join(', ')} for the project ${c.project}`,
        'check --project (docker volume ls shows <project>_audio, _notes, _pgdata)'
      )
    c.state = state
    const running = state.containers.get('postgres')?.running
    return `${needed.join(', ')}; postgres ${running ? 'running' : 'stopped'}`
  },
})
