// axe-core (WCAG 2.1 A and AA rules, colour contrast included) run on what a page shows now.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

// Evaluated through DevTools: the app's CSP (rightly) refuses an injected script tag.
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

type AxeResult = {
  violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[]
}

/** One readable line per violation. */
export async function audit(page: Page): Promise<string[]> {
  await page.evaluate(AXE)
  const result = await page.evaluate(
    () =>
      (window as unknown as { axe: { run: (o: object) => Promise<AxeResult> } }).axe.run({
        runOnly: {
          type: 'tag',
          values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
        },
      }) as Promise<AxeResult>
  )
  return result.violations.map(
    (v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`
  )
}
