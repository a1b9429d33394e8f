// make restore, as a pipeline: what would change (also the whole of a dry run), confirmation,
// the snapshot restored and checked, a safety backup, then the API stopped, the volumes and the
// database replaced and compared with the manifest, and the API started again.
import type { Pipeline } from '../../lib/pipeline.ts'
import { lockFile } from '../backup/context.ts'
import type { RestoreContext } from './context.ts'
import { compare, password, snapshot } from './inspect.ts'
import {
  check,
  cleanup,
  confirm,
  database,
  safety,
  scratch,
  startApi,
  stopApi,
  volumes,
} from './replace.ts'
import { objects } from './objects.ts'

export const restorePipeline: Pipeline<RestoreContext> = {
  name: 'restore',
  // The repository's lock (a backup or a prune of it), then the stack lock on the engine: a
  // deploy or rollback must not replace the api while the data under it is being replaced.
  lock: (c) => [
    { file: lockFile(c.project), holder: `restore of ${c.project}` },
    { stack: c.project, holder: 'restore', image: `medic-scribe/postgres:${c.env.SCRIBE_TAG}` },
  ],
  steps: [
    password,
    snapshot,
    compare,
    confirm,
    scratch,
    check,
    safety,
    stopApi,
    volumes,
    objects,
    database,
    startApi,
  ],
  always: [cleanup],
}
