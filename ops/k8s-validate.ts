#!/usr/bin/env -S npx tsx
// make k8s-validate: renders the Kubernetes overlays (deploy/kubernetes/) and checks them as far
// as tools can without a cluster: strict decoding against the API types, then trivy config.
// The tools are built once from the Go module proxy and cached. The steps live in ops/steps/k8s/.
import { readdir } from 'node:fs/promises'
import { fs, path } from 'zx'
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { loadOpsEnv } from './lib/env.ts'
import { StopError } from './lib/errors.ts'
import { runScript } from './lib/main.ts'
import { fromRoot } from './lib/paths.ts'
import { runK8sValidate } from './steps/k8s/index.ts'
import { KUSTOMIZE_VERSION } from './steps/tools/kustomize.ts'

const USAGE = `
Usage: npx tsx ops/k8s-validate.ts [--dir DIR] [--overlay a,b] [--dry-run]   (make k8s-validate)

  1. kustomize ${KUSTOMIZE_VERSION} and the strict decoder (ops/k8s-strict-decode) from the cache,
     or built once from the Go module proxy; trivy as make scan finds it (or make trivy builds it);
  2. kustomize build of each overlay into build/k8s/<overlay>.yaml;
  3. every object decoded strictly into its k8s.io/api type: unknown fields, duplicates and
     wrong types are named (custom resources such as the ExternalSecret are listed, not decoded);
  4. trivy config on the rendered files: any HIGH or CRITICAL finding fails; lower ones are listed.
  Not run: a cluster. Nothing is applied; the API server's own validation and admission
  (Pod Security "restricted", webhooks) and the network plugin's policies are not exercised.

  --dir      the manifests (default deploy/kubernetes)
  --overlay  overlays to check, comma-separated (default every folder in DIR/overlays)
  --out      where the rendered manifests and trivy's report go (default build/k8s)
  --dry-run  build no tool; say what would be built and check with the tools already cached
`

await runScript(async () => {
  const env = await loadOpsEnv()
  const flags = parseArgs({
    usage: USAGE,
    boolean: ['dry-run'],
    string: ['dir', 'overlay', 'out'],
    shape: {
      'dry-run': z.boolean().default(false),
      dir: z.string().min(1).default(fromRoot('deploy', 'kubernetes')),
      out: z.string().min(1).default(fromRoot('build', 'k8s')),
      overlay: z
        .string()
        .regex(/^[\w-]+(,[\w-]+)*$/, 'overlay names, comma-separated')
        .optional(),
    },
  })
  const dir = path.resolve(flags.dir)
  const overlaysDir = path.join(dir, 'overlays')
  if (!(await fs.pathExists(overlaysDir)))
    throw new StopError(`no overlays in ${dir}`, 'pass --dir with the folder holding overlays/')
  const all = (await readdir(overlaysDir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
  const overlays = flags.overlay?.split(',') ?? all
  const unknown = overlays.filter((o: string) => !all.includes(o))
  if (unknown.length)
    throw new StopError(`no such overlay: ${unknown.join(', ')}`, `overlays: ${all.join(', ')}`)
  await runK8sValidate({
    dryRun: flags['dry-run'],
    dir,
    overlays,
    outDir: path.resolve(flags.out),
    toolsDir: env.TOOLS_CACHE_DIR,
    trivyBin: env.TRIVY_BIN,
    allowlistFile: fromRoot('ops', 'scan', 'allowlist.yml'),
    today: new Date().toISOString().slice(0, 10),
  })
})
