// make k8s-validate, as a pipeline of checks: the tools (cached, built once), then each overlay
// rendered, decoded strictly and scanned. keepGoing: one run shows every problem.
import { runPipeline } from '../../lib/pipeline.ts'
import type { Pipeline } from '../../lib/pipeline.ts'
import type { K8sValidateContext } from './context.ts'
import { decode } from './decode.ts'
import { render } from './render.ts'
import { decoderTool, findCachedTools, kustomizeTool, trivyTool } from './tools.ts'
import { trivyConfig } from './trivy-config.ts'

export const k8sValidatePipeline: Pipeline<K8sValidateContext> = {
  name: 'k8s-validate',
  steps: [kustomizeTool, decoderTool, trivyTool, render, decode, trivyConfig],
  keepGoing: true,
}

export async function runK8sValidate(
  ctx: Omit<K8sValidateContext, 'rendered'>
): Promise<K8sValidateContext> {
  const c: K8sValidateContext = { ...ctx, rendered: [] }
  await findCachedTools(c)
  await runPipeline(k8sValidatePipeline, c)
  return c
}
