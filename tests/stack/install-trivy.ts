// The scan tests' trivy: found or built (once, cached) by `make trivy`'s own script, its build
// progress shown in the suite's output (minutes on a fresh machine).
import { spawn } from 'node:child_process'
import { fromRoot } from '../../ops/lib/paths.ts'

export function installTrivy(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(fromRoot('node_modules/.bin/tsx'), [fromRoot('ops', 'install-trivy.ts')], {
      stdio: 'inherit',
    })
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`ops/install-trivy.ts exited with ${code}`))
    )
  })
}
