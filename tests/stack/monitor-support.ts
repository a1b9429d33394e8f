// What the monitor's stack test needs: the monitor's services started on the suite's stack with
// the test timings, and a webhook receiver of the test's own that records every notification.
import { execFile } from 'node:child_process'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { promisify } from 'node:util'

const exec = promisify(execFile)

export type Notification = {
  path: string
  receivedAt: number
  status: 'firing' | 'resolved'
  alerts: { status: 'firing' | 'resolved'; labels: Record<string, string> }[]
}

/**
 * An HTTP server that answers 200 to every POST and records its JSON body. It listens on the
 * stack network's gateway (the host's address on that bridge), so the Alertmanager container
 * reaches it while nothing leaves the machine.
 */
export async function startReceiver(network: string) {
  const gateway = (
    await exec('docker', [
      'network',
      'inspect',
      '-f',
      '{{range .IPAM.Config}}{{.Gateway}}{{end}}',
      network,
    ])
  ).stdout.trim()
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(gateway)) throw new Error(`no IPv4 gateway on ${network}`)
  const notifications: Notification[] = []
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += String(d)))
    req.on('end', () => {
      try {
        const n = JSON.parse(body) as Omit<Notification, 'path' | 'receivedAt'>
        notifications.push({
          ...n,
          alerts: n.alerts ?? [],
          path: req.url ?? '/',
          receivedAt: Date.now(),
        })
      } catch {
        notifications.push({
          path: req.url ?? '/',
          receivedAt: Date.now(),
          status: 'firing',
          alerts: [],
        })
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, gateway, () => resolve())
  })
  const { port } = server.address() as { port: number }
  /** Every alert of that name and status the receiver got on `path`, with the arrival time. */
  const received = (alertname: string, status: 'firing' | 'resolved', path = '/') =>
    notifications.flatMap((n) =>
      n.path === path
        ? n.alerts
            .filter((a) => a.labels.alertname === alertname && a.status === status)
            .map((a) => ({ ...a, receivedAt: n.receivedAt }))
        : []
    )
  return {
    url: (path = '/') => `http://${gateway}:${port}${path}`,
    notifications,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
export type Receiver = Awaited<ReturnType<typeof startReceiver>>
