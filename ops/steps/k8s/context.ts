// What make k8s-validate's steps share: where the manifests and the tools are, which overlays
// to check, and what each step found.
import type { TrivyTool } from '../scan/trivy.ts'
import type { PipelineContext } from '../../lib/pipeline.ts'

export type RenderedOverlay = { overlay: string; file: string }

export type K8sValidateContext = PipelineContext & {
  /** deploy/kubernetes, or a copy (the tests break one on purpose). */
  dir: string
  overlays: string[]
  /** Where the rendered manifests are written: build/k8s/<overlay>.yaml. */
  outDir: string
  toolsDir: string
  trivyBin: string | undefined
  allowlistFile: string
  today: string
  kustomize?: string
  decoder?: string
  trivy?: TrivyTool
  rendered: RenderedOverlay[]
}
