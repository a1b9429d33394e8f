// Every rendered object decoded strictly into its Go type from k8s.io/api (ops/k8s-strict-decode):
// an unknown or misspelt field, a duplicate field or a wrongly typed value is named with its
// overlay, kind and name. Custom resources (the ExternalSecret) have no Go type there and are
// listed as not decoded.
import { $, fs } from 'zx'
import { z } from 'zod'
import { StopError } from '../../lib/errors.ts'
import { defineStep } from '../../lib/pipeline.ts'
import type { K8sValidateContext } from './context.ts'

/** Custom resources the overlays use: their schemas are the operators' CRDs, not k8s.io/api. */
export const CUSTOM_KINDS = ['external-secrets.io/v1/ExternalSecret']

const DecodedSchema = z.object({
  index: z.number(),
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  status: z.enum(['ok', 'error', 'skipped']),
  errors: z.array(z.string()).optional(),
})
export type Decoded = z.infer<typeof DecodedSchema>

/** The decoder's JSON lines. */
export const parseDecoded = (stdout: string): Decoded[] =>
  stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => DecodedSchema.parse(JSON.parse(l)))

export const decode = defineStep<K8sValidateContext>({
  name: 'strict decoding against the Kubernetes API types (k8s.io/api v0.37)',
  changes: false,
  skip: (c) => (c.decoder && c.rendered.length ? false : 'nothing rendered to decode'),
  run: async (c) => {
    const problems: string[] = []
    const skipped = new Set<string>()
    let ok = 0
    for (const r of c.rendered) {
      const out = await $({
        quiet: true,
        nothrow: true,
        timeout: '1m',
        input: await fs.readFile(r.file, 'utf8'),
      })`${c.decoder!} ${CUSTOM_KINDS.flatMap((k) => ['-skip', k])}`
      if (out.exitCode !== 0 && out.exitCode !== 1)
        throw new Error(`the strict decoder failed on ${r.file}: ${out.stderr.trim()}`)
      for (const d of parseDecoded(out.stdout)) {
        if (d.status === 'ok') ok++
        else if (d.status === 'skipped') skipped.add(`${d.kind} (${d.apiVersion})`)
        else
          for (const e of d.errors ?? [])
            problems.push(`${r.overlay}: ${d.kind}/${d.name || `#${d.index}`}: ${e}`)
      }
    }
    if (problems.length)
      throw new StopError(
        `${problems.length} strict decoding error(s):\n    ${problems.join('\n    ')}`,
        'fix the field names and types in deploy/kubernetes (kubectl explain <kind>.<field>)'
      )
    const notDecoded = skipped.size
      ? `; not decoded (custom resources): ${[...skipped].join(', ')}`
      : ''
    return `${ok} objects decoded${notDecoded}`
  },
})
