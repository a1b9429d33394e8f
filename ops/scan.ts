#!/usr/bin/env -S npx tsx
// The security scan (make scan): what is in the images, is a secret baked in anywhere, is every
// container locked down, can one user reach another's data. One report, three forms; exit 1 on
// any finding the reviewed allowlist does not cover. The steps live in ops/steps/scan/.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { parseArgs } from './lib/args.ts'
import { loadOpsEnv, projectName } from './lib/env.ts'
import { IMAGE_NAMES } from './lib/images.ts'
import { runScript } from './lib/main.ts'
import { ROOT } from './lib/paths.ts'
import { GRADE_ORDER } from './lib/testssl.ts'
import { DEFAULT_ALLOWLIST, RESULTS_DIR, SCAN_PARTS } from './steps/scan/context.ts'
import { runScan } from './steps/scan/index.ts'

const USAGE = `
Usage: npx tsx ops/scan.ts [--require-vulns] [--no-probe] [--no-tls] [--dry-run] ...   (make scan ARGS="...")

  1. a trivy that passes the version check (TRIVY_BIN, PATH, or built once: make trivy);
     0.69.4, 0.69.5 and 0.69.6 (the March 2026 compromise) are refused by name;
  2. every image (docker save → trivy image): secrets in every layer, misconfigurations,
     vulnerabilities when TRIVY_CACHE_DIR holds a database; a CycloneDX SBOM of each;
  3. the repository: trivy config (Dockerfiles), secrets in the work tree and the git history,
     a CycloneDX SBOM of package-lock.json;
  4. our hardening rules on the merged compose config (local and prod) and on the running
     containers; Node's end of life in each image; deprecated npm packages;
  5. the API probe through the edge (every route of the app's route table);
  6. the edge's TLS: testssl.sh (as make tls-grade), its grade against SCAN_MIN_TLS_GRADE (A+);
  7. the allowlist (ops/scan/allowlist.yml) and the report: scan-results/report.{json,html}.

  --require-vulns     fail when no vulnerability database is present
  --no-probe          leave out the API probe (it needs the stack running)
  --no-tls            leave out testssl.sh (it needs the stack running, and takes minutes)
  --tls-json FILE     read testssl.sh's result from FILE (make tls-grade ARGS="--json FILE")
                      instead of running it
  --min-tls-grade G   the worst grade that passes (default SCAN_MIN_TLS_GRADE, A+)
  --tls-ca FILE       trust FILE for the chain check (default: the local CA in local mode)
  --only LIST         only these parts: ${SCAN_PARTS.join(',')}
  --images LIST       only these of the stack's images (${IMAGE_NAMES.join(',')})
  --repo DIR          the repository scanned by the repo and history parts (default: this one)
  --no-registry       do not ask the npm registry about deprecations (kept answers only)
  --url URL           the edge to probe (default https://localhost:HTTPS_PORT in local mode)
  --project NAME      the compose project (default COMPOSE_PROJECT_NAME)
  --tag TAG           the images' tag (default SCRIBE_TAG or local)
  --modes LIST        compose modes checked (default local,prod)
  --image REF         also scan this image (repeatable)
  --compose-override FILE   merge FILE on top of each mode's compose files for the rules
  --allowlist FILE    default ops/scan/allowlist.yml
  --out DIR           default scan-results/
  Settings (compose/.env or the environment): TRIVY_CACHE_DIR, TRIVY_BIN, TOOLS_CACHE_DIR.
`

/** `a,b` → ['a', 'b'], each one of `allowed`, at least one. */
const list = <T extends string>(allowed: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(z.enum(allowed)).min(1))

const startedAt = performance.now()
await runScript(async () => {
  const env = await loadOpsEnv()
  const flags = parseArgs({
    usage: USAGE,
    // --no-probe and --no-registry: minimist sets probe/registry false; absent, the defaults hold.
    boolean: ['dry-run', 'require-vulns'],
    string: [
      ...['url', 'project', 'tag', 'modes', 'image', 'compose-override', 'allowlist', 'out'],
      ...['only', 'images', 'repo', 'tls-json', 'min-tls-grade', 'tls-ca'],
    ],
    shape: {
      'dry-run': z.boolean().default(false),
      'require-vulns': z.boolean().default(false),
      probe: z.boolean().default(true),
      tls: z.boolean().default(true),
      registry: z.boolean().default(true),
      only: list(SCAN_PARTS).default([...SCAN_PARTS]),
      images: list(IMAGE_NAMES).default([...IMAGE_NAMES]),
      repo: z
        .string()
        .refine((d) => existsSync(d), 'no such directory')
        .transform((d) => path.resolve(d))
        .default(ROOT),
      'tls-json': z.string().optional(),
      'min-tls-grade': z.enum(GRADE_ORDER).default(env.SCAN_MIN_TLS_GRADE),
      'tls-ca': z
        .string()
        .refine((f) => existsSync(f), 'no such file')
        .optional(),
      url: z.url().optional(),
      project: projectName.default(env.COMPOSE_PROJECT_NAME),
      tag: z
        .string()
        .regex(/^[\w][\w.-]{0,127}$/)
        .default(env.SCRIBE_TAG),
      modes: z
        .string()
        .default('local,prod')
        .transform((s) => s.split(',').filter(Boolean))
        .pipe(z.array(z.enum(['local', 'prod'])).min(1)),
      image: z
        .union([z.string(), z.array(z.string())])
        .optional()
        .transform((v) => (v === undefined ? [] : [v].flat())),
      'compose-override': z.string().optional(),
      allowlist: z.string().default(DEFAULT_ALLOWLIST),
      out: z.string().default(RESULTS_DIR),
    },
  })
  await runScan({
    env,
    project: flags.project,
    tag: flags.tag,
    modes: flags.modes,
    requireVulns: flags['require-vulns'],
    parts: flags.only.filter((p) => (p !== 'probe' || flags.probe) && (p !== 'tls' || flags.tls)),
    imageNames: flags.images,
    repoDir: flags.repo,
    tls: {
      json: flags['tls-json'],
      minGrade: flags['min-tls-grade'],
      name: env.SERVER_NAME,
      ca: flags['tls-ca'],
    },
    npmOffline: !flags.registry,
    url: flags.url,
    extraImages: flags.image,
    composeOverride: flags['compose-override'],
    allowlistFile: flags.allowlist,
    outDir: flags.out,
    dryRun: flags['dry-run'],
    today: new Date().toISOString().slice(0, 10),
  })
}, startedAt)
