import type { DrillContext } from './drill.ts'

/** Whether one of the newest recordings says it waits on the provider ("retrying: …"). */
export async function retryingVisible({ target, token }: DrillContext): Promise<boolean> {
  const r = await target.json<{ items: { detail: string | null }[] }>(
    token,
    '/api/recordings?limit=10'
  )
  return r.items.some((i) => i.detail?.startsWith('retrying'))
}
