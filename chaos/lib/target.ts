// The stack a drill runs against: the stack suite's client (tests/stack/stack.ts) plus what the
// faults need: the api's readiness from inside its container, a container's PID and address for
// nsenter, and the fake provider's control port when the chaos overlay is in place.
import { connect } from '../../tests/stack/stack.ts'
import type { StackInfo } from '../../tests/stack/stack.ts'

export type FakeProviderState = {
  requests: number
  answered: number
  abandoned: number
  in_flight: number
  delay_ms: number
}

export type FakeProvider = {
  fail: (count: number, status: number, retryAfterSeconds?: number) => Promise<FakeProviderState>
  delay: (ms: number) => Promise<FakeProviderState>
  reset: () => Promise<FakeProviderState>
  state: () => Promise<FakeProviderState>
  /** The api's GET /health/ready, asked from the fake provider's container. */
  apiReady: () => Promise<{ status: number; body: string }>
}

export type Readiness = { status: number; failing: string[]; body: string }

export type Target = ReturnType<typeof connect> & {
  info: StackInfo
  /** The fake provider's control, or null on a stack without the chaos overlay. */
  fake: FakeProvider | null
  readiness: () => Promise<Readiness>
  pid: (service: string) => Promise<number>
  ip: (service: string) => Promise<string>
  running: (service: string) => Promise<boolean>
}

export async function openTarget(info: StackInfo): Promise<Target> {
  const s = connect(info)
  const container = s.container
  const fake = await fakeProvider(s.docker, container('fake-stt'))

  async function readiness(): Promise<Readiness> {
    // Readiness is not exposed by the edge (it stays on the internal network): ask from inside,
    // through the fake provider's control port when there is one (a docker exec costs seconds
    // of CPU on a busy machine), else in the api's container.
    let status: number
    let body: string
    if (fake) {
      ;({ status, body } = await fake.apiReady())
    } else {
      const script =
        "fetch('http://127.0.0.1:8080/health/ready',{signal:AbortSignal.timeout(4000)}).then(async r=>console.log(r.status+' '+await r.text()),e=>console.log('0 '+JSON.stringify({error:String(e)})))"
      const out = await s.docker('exec', container('api'), 'node', '-e', script)
      const space = out.indexOf(' ')
      status = Number(out.slice(0, space))
      body = out.slice(space + 1)
    }
    let failing: string[] = []
    try {
      failing = (JSON.parse(body) as { failing?: string[] }).failing ?? []
    } catch {
      failing = []
    }
    return { status, failing, body }
  }

  return {
    ...s,
    info,
    fake,
    readiness,
    pid: async (service) =>
      Number(await s.docker('inspect', '-f', '{{.State.Pid}}', container(service))),
    ip: async (service) =>
      s.docker(
        'inspect',
        '-f',
        '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}',
        container(service)
      ),
    running: async (service) =>
      (await s.docker('inspect', '-f', '{{.State.Status}}', container(service)).catch(() => '')) ===
      'running',
  }
}

async function fakeProvider(
  docker: (...args: string[]) => Promise<string>,
  name: string
): Promise<FakeProvider | null> {
  const mapping = await docker('port', name, '8001').catch(() => '')
  const hostPort = /127\.0\.0\.1:(\d+)/.exec(mapping)?.[1]
  if (!hostPort) return null
  const call = async (path: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${hostPort}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    })
    if (!res.ok) throw new Error(`fake provider ${path} answered ${res.status}`)
    return (await res.json()) as FakeProviderState
  }
  return {
    fail: (count, status, retryAfterSeconds) =>
      call('/fail', { count, status, retry_after_seconds: retryAfterSeconds }),
    delay: (ms) => call('/delay', { ms }),
    reset: () => call('/reset', {}),
    state: () => call('/state'),
    apiReady: async () => {
      const res = await fetch(`http://127.0.0.1:${hostPort}/api-ready`, {
        signal: AbortSignal.timeout(6_000),
      })
      return (await res.json()) as { status: number; body: string }
    },
  }
}
