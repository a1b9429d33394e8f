// Bundles chaos/fake-provider/main.ts into one file the api image's Node runs (the overlay
// compose/compose.chaos.yml mounts build/chaos/ read-only): no image to build for it.
import { build } from 'esbuild'
import { fromRoot } from '../../ops/lib/paths.ts'

export const FAKE_PROVIDER_BUNDLE = fromRoot('build', 'chaos', 'fake-provider.mjs')

export async function bundleFakeProvider(): Promise<string> {
  await build({
    entryPoints: [fromRoot('chaos', 'fake-provider', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    outfile: FAKE_PROVIDER_BUNDLE,
    logLevel: 'warning',
  })
  return FAKE_PROVIDER_BUNDLE
}
