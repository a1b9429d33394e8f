// Every drill, in the order `make chaos` runs them: the engine's faults first, then the
// provider's, the disk's and the kernel's, then the operator's.
import apiKill from './api-kill.drill.ts'
import backupDuringBurst from './backup-during-burst.drill.ts'
import clientCorruption from './client-corruption.drill.ts'
import cpuMemoryPressure from './cpu-memory-pressure.drill.ts'
import dbNetworkCut from './db-network-cut.drill.ts'
import deployLowDisk from './deploy-low-disk.drill.ts'
import diskFull from './disk-full.drill.ts'
import edgeRestart from './edge-restart.drill.ts'
import oomKill from './oom-kill.drill.ts'
import envRegenerated from './env-regenerated.drill.ts'
import postgresPause from './postgres-pause.drill.ts'
import postgresRestart from './postgres-restart.drill.ts'
import providerOutage from './provider-outage.drill.ts'
import resticPasswordMissing from './restic-password-missing.drill.ts'
import restoreOtherProject from './restore-other-project.drill.ts'
import sttNetem from './stt-netem.drill.ts'
import workerPausedPastLease from './worker-paused-past-lease.drill.ts'
import twoOperators from './two-operators.drill.ts'
import deployDuringBurst from './deploy-during-burst.drill.ts'
import type { Drill } from '../lib/drill.ts'

export const DRILLS: Drill[] = [
  apiKill,
  oomKill,
  workerPausedPastLease,
  postgresPause,
  postgresRestart,
  dbNetworkCut,
  providerOutage,
  diskFull,
  cpuMemoryPressure,
  sttNetem,
  clientCorruption,
  edgeRestart,
  backupDuringBurst,
  deployDuringBurst,
  envRegenerated,
  resticPasswordMissing,
  restoreOtherProject,
  deployLowDisk,
  twoOperators,
]
