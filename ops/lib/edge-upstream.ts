// Moves the edge's traffic between API containers. nginx.conf includes /tmp/edge/upstream.conf
// (a tmpfs: the edge's root is read-only); the entrypoint writes the default there (the
// compose service `api`), and a deploy rewrites it through `docker exec`, checks it with
// `nginx -t`, then `nginx -s reload`: new workers take new requests, old workers finish theirs.
import { $, sleep } from 'zx'
import { StopError } from './errors.ts'

export const UPSTREAM_FILE = '/tmp/edge/upstream.conf'
export const DEFAULT_UPSTREAM = 'api:8080'

/** The include's content for `host:port` (a container name on the compose network). */
export function renderUpstream(hostPort: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*:\d{1,5}$/.test(hostPort))
    throw new Error(`not a host:port for the edge's upstream: ${hostPort}`)
  return `set $api http://${hostPort};\n`
}

/** What the file names now, e.g. `api:8080`, or undefined if unreadable. */
export function parseUpstream(text: string): string | undefined {
  return /set \$api http:\/\/([^;\s]+);/.exec(text)?.[1]
}

const q = $({ quiet: true, timeout: '30s' })

export async function readUpstream(edge: string): Promise<string | undefined> {
  const out = await q`docker exec ${edge} cat ${UPSTREAM_FILE}`.nothrow()
  return out.ok ? parseUpstream(out.stdout) : undefined
}

/**
 * Points the edge at `hostPort` and reloads it gracefully. The file is replaced atomically
 * (write then rename) and tested before the reload; a bad file is put back.
 */
export async function switchUpstream(edge: string, hostPort: string): Promise<void> {
  const body = renderUpstream(hostPort)
  const before = await q`docker exec ${edge} cat ${UPSTREAM_FILE}`.nothrow()
  await q({
    input: body,
  })`docker exec -i ${edge} sh -c ${`cat > ${UPSTREAM_FILE}.new && mv ${UPSTREAM_FILE}.new ${UPSTREAM_FILE}`}`
  const test = await q`docker exec ${edge} nginx -t -q`.nothrow()
  if (!test.ok) {
    if (before.ok)
      await q({
        input: before.stdout,
      })`docker exec -i ${edge} sh -c ${`cat > ${UPSTREAM_FILE}`}`.nothrow()
    throw new StopError(
      `the edge refused the upstream ${hostPort}: ${test.stderr.trim().split('\n').at(-1)}`,
      'the edge still serves the previous upstream; check `docker logs` of the edge'
    )
  }
  await q`docker exec ${edge} nginx -s reload`
  // The master starts new workers asynchronously; give it a moment before traffic is judged.
  await sleep(500)
}
