// Every image of the stack, as `docker save` wrote it: secrets in any layer, misconfigurations,
// vulnerabilities when a database is present, and a CycloneDX SBOM from the same analysis.
import { $, fs, path } from 'zx'
import { imageSize } from '../../lib/docker.ts'
import { StopError } from '../../lib/errors.ts'
import { IMAGE_NAMES, imageRef } from '../../lib/images.ts'
import { defineStep } from '../../lib/pipeline.ts'
import { detail } from '../../lib/step.ts'
import { unlessPart } from './context.ts'
import type { ScanContext } from './context.ts'
import { findingsFromTrivy, sbomComponents } from './trivy-report.ts'
import { trivyCycloneDx, trivyJson } from './trivy-run.ts'

export const stackImages = (c: ScanContext): string[] => [
  ...IMAGE_NAMES.filter((n) => c.imageNames.includes(n)).map((n) => imageRef(n, c.tag)),
  ...c.extraImages,
]

const fileName = (ref: string): string => ref.replace(/[^\w.-]+/g, '_')

export const scanImages = defineStep<ScanContext>({
  name: 'images (docker save → trivy image)',
  changes: false,
  skip: unlessPart('images'),
  run: async (c) => {
    await fs.mkdirp(c.work)
    const scanners = ['secret', 'misconfig', ...(c.vulnDbDir ? ['vuln'] : [])]
    for (const ref of stackImages(c)) {
      const bytes = await imageSize(ref)
      if (bytes === undefined)
        throw new StopError(`image ${ref} is not here`, 'run `make images` (or pass --tag)')
      const tar = path.join(c.work, `${fileName(ref)}.tar`)
      const report = path.join(c.work, `${fileName(ref)}.json`)
      const sbom = path.join(c.outDir, 'sbom', `${fileName(ref)}.cdx.json`)
      await $({ quiet: true, timeout: '10m' })`docker save -o ${tar} ${ref}`
      const parsed = await trivyJson(
        c,
        ['image', '--input', tar, '--scanners', scanners.join(','), '--list-all-pkgs'],
        report
      )
      await trivyCycloneDx(c, report, sbom)
      await fs.remove(tar)
      const { findings, counts } = findingsFromTrivy(parsed, {
        where: `image ${ref}`,
        source: 'image',
      })
      c.findings.push(...findings)
      const components = sbomComponents(await fs.readJson(sbom))
      c.sboms.push({ name: ref, file: path.relative(c.outDir, sbom), components })
      c.images.push({
        ref,
        bytes,
        sbomFile: path.relative(c.outDir, sbom),
        components,
        secrets: counts.secrets,
        misconfigurations: counts.misconfigurations,
        vulnerabilities: c.vulnDbDir ? counts.vulnerabilities : 'not checked',
      })
      detail(
        `${ref}: ${components} components, ${counts.secrets} secrets, ${counts.misconfigurations} misconfigurations`
      )
    }
    c.checked.push({
      part: 'images',
      what: `${stackImages(c).length} images from docker save, scanners ${scanners.join(', ')}`,
    })
    return `${c.images.length} images, ${c.findings.length} findings so far`
  },
})
