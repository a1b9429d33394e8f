import { describe, expect, inject, it } from 'vitest'
import { connect } from './stack.ts'

const stack = inject('stack')

type Inspect = {
  Config: { User: string; Healthcheck?: { Test: string[] } }
  HostConfig: {
    ReadonlyRootfs: boolean
    CapDrop: string[] | null
    SecurityOpt: string[] | null
    RestartPolicy: { Name: string }
    Memory: number
    PortBindings: Record<string, { HostIp: string; HostPort: string }[]> | null
  }
}

describe.skipIf(!stack)('hardening: every container, inspected', () => {
  const s = connect(stack!)

  it.each(['postgres', 'stt', 'api', 'edge'])(
    '%s runs unprivileged, read-only, with no capabilities',
    async (service) => {
      const [info] = JSON.parse(await s.docker('inspect', s.container(service))) as Inspect[]
      expect(info!.Config.User, 'a non-root user is set').toMatch(/^(?!root$|0$|0:).+/)
      expect(Number(await s.docker('exec', s.container(service), 'id', '-u'))).not.toBe(0)
      expect(info!.HostConfig.ReadonlyRootfs).toBe(true)
      expect(info!.HostConfig.CapDrop).toEqual(['ALL'])
      expect(info!.HostConfig.SecurityOpt?.join(',')).toMatch(/no-new-privileges/)
      expect(info!.HostConfig.RestartPolicy.Name).toBe('unless-stopped')
      expect(info!.HostConfig.Memory).toBeGreaterThan(0)
      expect(info!.Config.Healthcheck?.Test.length).toBeGreaterThan(0)
      const published = Object.values(info!.HostConfig.PortBindings ?? {}).flat()
      if (service === 'edge') {
        expect(published.length).toBe(2)
        for (const p of published) expect(p.HostIp).toBe('127.0.0.1')
      } else {
        expect(published, `${service} publishes no port`).toEqual([])
      }
    }
  )
})
