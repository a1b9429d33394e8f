// Throwaway stacks (the test suite's, the backup benchmark's): a project name of their own,
// fresh secrets and free ports, so one never touches the operator's stack or another run's.
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { GENERATED } from '../../ops/lib/env-file.ts'

/** A free TCP port on loopback: the kernel picks one, and it is closed again at once. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export type ScratchStack = {
  project: string
  httpPort: number
  httpsPort: number
  /** For `docker compose` (no env file): the generated secrets and the edge's ports. */
  env: { POSTGRES_PASSWORD: string; JWT_SECRET: string; HTTP_PORT: string; HTTPS_PORT: string }
}

export async function scratchStack(prefix: string): Promise<ScratchStack> {
  const [httpPort, httpsPort] = [await freePort(), await freePort()]
  const secret = (name: 'POSTGRES_PASSWORD' | 'JWT_SECRET') => GENERATED[name]!()
  return {
    project: `${prefix}-${randomBytes(3).toString('hex')}`,
    httpPort,
    httpsPort,
    env: {
      POSTGRES_PASSWORD: secret('POSTGRES_PASSWORD'),
      JWT_SECRET: secret('JWT_SECRET'),
      HTTP_PORT: String(httpPort),
      HTTPS_PORT: String(httpsPort),
    },
  }
}
