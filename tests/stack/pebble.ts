// Debian's pebble (tests/stack/pebble/) as the ACME CA of a certificate drill: on the stack's
// network as `pebble`, validating HTTP-01 on the edge's port 8080 inside the network, with the
// certificate's name resolved to the edge through the container's hosts file.
import { Agent, fetch } from 'undici'
import { GenericContainer, Wait } from 'testcontainers'
import type { StartedTestContainer } from 'testcontainers'
import { ensureCachedImage } from '../../ops/lib/cached-image.ts'
import type { CachedImage } from '../../ops/lib/cached-image.ts'
import { createContext } from '../../ops/lib/context.ts'
import { fromRoot } from '../../ops/lib/paths.ts'

export const PEBBLE_DIRECTORY = 'https://pebble:14000/dir'

export type StartedPebble = {
  container: StartedTestContainer
  image: CachedImage
  /** PEM of pebble's own HTTPS listener: what certbot trusts (REQUESTS_CA_BUNDLE). */
  listenerCert: string
  /** PEM of the root pebble signs with (a new one every start). */
  root: () => Promise<string>
}

export async function startPebble(o: {
  network: string
  name: string
  edgeIp: string
}): Promise<StartedPebble> {
  const image = await ensureCachedImage(
    createContext({ dryRun: false }),
    'test-pebble',
    fromRoot('tests', 'stack', 'pebble')
  )
  const container = await new GenericContainer(image.ref)
    .withNetworkMode(o.network)
    .withNetworkAliases('pebble')
    .withExtraHosts([{ host: o.name, ipAddress: o.edgeIp }])
    // No random validation delay and no deliberately rejected nonces: a drill, not a fuzz test.
    .withEnvironment({ PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', HTTP_PORT: '8080' })
    .withExposedPorts(15000)
    .withWaitStrategy(Wait.forLogMessage(/Listening on: 0\.0\.0\.0:14000/))
    .start()
  const listenerCert = (await container.exec(['cat', '/tmp/pebble/cert.pem'])).stdout
  const trusting = new Agent({ connect: { ca: listenerCert } })
  const root = async () => {
    const url = `https://localhost:${container.getMappedPort(15000)}/roots/0`
    return (await fetch(url, { dispatcher: trusting })).text()
  }
  return { container, image, listenerCert, root }
}
