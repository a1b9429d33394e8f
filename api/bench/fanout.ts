// WebSocket fan-out for `npm run bench:api`: many sockets held open, one event sent, and the time
// until every socket has it.
import WebSocket from 'ws'

/** Opens `n` sockets (in batches, so the listen backlog never overflows), each past its hello. */
export async function openSockets(url: string, n: number, batch = 100): Promise<WebSocket[]> {
  const sockets: WebSocket[] = []
  for (let i = 0; i < n; i += batch) {
    const opened = await Promise.all(
      Array.from(
        { length: Math.min(batch, n - i) },
        () =>
          new Promise<WebSocket>((resolve, reject) => {
            const ws = new WebSocket(url)
            const timer = setTimeout(() => reject(new Error(`no hello from ${url}`)), 30_000)
            ws.once('message', () => {
              clearTimeout(timer)
              resolve(ws)
            })
            ws.once('error', (err) => {
              clearTimeout(timer)
              reject(err)
            })
          })
      )
    )
    sockets.push(...opened)
  }
  return sockets
}

export type Fanout = { firstMs: number; lastMs: number; spreadMs: number }

/**
 * Starts `trigger` and resolves once every socket has received a message `match` accepts:
 * first and last arrival after the trigger started, and the spread between them (the fan-out
 * itself, whatever the trigger cost).
 */
export async function measureFanout(
  sockets: WebSocket[],
  trigger: () => Promise<unknown>,
  match: (data: string) => boolean,
  timeoutMs = 30_000
): Promise<Fanout> {
  const arrivals: number[] = []
  let started = 0
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`only ${arrivals.length} of ${sockets.length} sockets got the event`)),
      timeoutMs
    )
    for (const ws of sockets) {
      const onMessage = (data: WebSocket.RawData) => {
        if (!match(String(data))) return
        ws.off('message', onMessage)
        arrivals.push(performance.now())
        if (arrivals.length === sockets.length) {
          clearTimeout(timer)
          resolve()
        }
      }
      ws.on('message', onMessage)
    }
  })
  started = performance.now()
  await trigger()
  await done
  const first = Math.min(...arrivals)
  const last = Math.max(...arrivals)
  return { firstMs: first - started, lastMs: last - started, spreadMs: last - first }
}

export async function closeSockets(sockets: WebSocket[]): Promise<void> {
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve()
          ws.once('close', () => resolve())
          ws.terminate()
        })
    )
  )
}
