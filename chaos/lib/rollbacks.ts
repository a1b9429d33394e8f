import type { Drill, DrillContext } from './drill.ts'
import type { Journal } from './journal.ts'

/** Every rollback, in order, each whatever the previous one did; what each ended as. */
export async function runRollbacks(drill: Drill, ctx: DrillContext): Promise<Journal['rollbacks']> {
  const done: Journal['rollbacks'] = []
  for (const rb of drill.rollbacks) {
    try {
      await rb.run(ctx)
      done.push({ name: rb.name, ok: true })
      ctx.note(`rollback: ${rb.name}`)
    } catch (err) {
      done.push({ name: rb.name, ok: false, error: String(err) })
      ctx.note(`rollback FAILED: ${rb.name}: ${String(err)}`)
    }
  }
  return done
}
