// Every drill, in the order `make chaos` runs them: the engine's faults first, then the
// provider's, the disk's and the kernel's, then the operator's.
import apiKill from './api-kill.drill.ts'
import cpuMemoryPressure from './cpu-memory-pressure.drill.ts'
import dbNetworkCut from './db-network-cut.drill.ts'
import diskFull from './disk-full.drill.ts'
import edgeRestart from './edge-restart.drill.ts'
import envRegenerated from './env-regenerated.drill.ts'
import postgresPause from './postgres-pause.drill.ts'
import postgresRestart from './postgres-restart.drill.ts'
import providerOutage from './provider-outage.drill.ts'
import sttNetem from './stt-netem.drill.ts'
import twoOperators from './two-operators.drill.ts'
import type { Drill } from '../lib/drill.ts'

export const DRILLS: Drill[] = [
  apiKill,
  postgresPause,
  postgresRestart,
  dbNetworkCut,
  providerOutage,
  diskFull,
  cpuMemoryPressure,
  sttNetem,
  edgeRestart,
  envRegenerated,
  twoOperators,
]
