import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { parseOpsEnv } from '../../ops/lib/env.ts'
import { StopError } from '../../ops/lib/errors.ts'
import { defineStep, runPipeline, withRetries } from '../../ops/lib/pipeline.ts'
import type { Pipeline, PipelineContext } from '../../ops/lib/pipeline.ts'

type Ctx = PipelineContext & { log: string[]; lockFile?: string }

const record = (name: string, changes: boolean, fail = false) =>
  defineStep<Ctx>({
    name,
    changes,
    plan: () => `do ${name}`,
    run: async (c) => {
      c.log.push(name)
      if (fail) throw new StopError(`${name} failed`, 'fix it')
      return `${name} done`
    },
  })

describe('the ops pipeline runner', () => {
  let out: string[] = []
  let dir = ''
  beforeEach(async () => {
    out = []
    dir = await mkdtemp(join(tmpdir(), 'pipeline-'))
    vi.spyOn(console, 'log').mockImplementation((s: unknown) => void out.push(String(s)))
  })
  afterEach(async () => {
    vi.restoreAllMocks()
    await rm(dir, { recursive: true, force: true })
  })

  it('should run every step in order, then the always steps, and release its lock', async () => {
    const lockFile = join(dir, 'x.lock')
    const p: Pipeline<Ctx> = {
      name: 'x',
      lock: () => ({ file: lockFile, holder: 'x' }),
      steps: [record('a', true), record('b', false)],
      always: [record('cleanup', true)],
    }
    const ctx: Ctx = { dryRun: false, log: [] }
    await runPipeline(p, ctx)
    expect(ctx.log).toEqual(['a', 'b', 'cleanup'])
    expect(out.join('')).toMatch(/✓ a \(.*\): a done/)
    await expect(stat(lockFile)).rejects.toThrow(/ENOENT/)
  })

  it('should print the plan of changing steps in a dry run and run only the ones that read', async () => {
    const p: Pipeline<Ctx> = {
      name: 'x',
      lock: () => ({ file: join(dir, 'dry.lock'), holder: 'x' }),
      steps: [record('check', false), record('change', true)],
      always: [record('cleanup', true)],
    }
    const ctx: Ctx = { dryRun: true, log: [] }
    await runPipeline(p, ctx)
    expect(ctx.log).toEqual(['check'])
    const text = out.join('')
    expect(text).toContain('dry run of x')
    expect(text).toContain('· would do change')
    expect(text).toContain('· would do cleanup')
    await expect(stat(join(dir, 'dry.lock'))).rejects.toThrow(/ENOENT/)
  })

  it('should stop at the first failure, still run the always steps, and rethrow', async () => {
    const lockFile = join(dir, 'f.lock')
    const p: Pipeline<Ctx> = {
      name: 'x',
      lock: () => ({ file: lockFile, holder: 'x' }),
      steps: [record('a', true, true), record('never', true)],
      always: [record('cleanup', true)],
    }
    const ctx: Ctx = { dryRun: false, log: [] }
    await expect(runPipeline(p, ctx)).rejects.toThrow('a failed')
    expect(ctx.log).toEqual(['a', 'cleanup'])
    await expect(stat(lockFile)).rejects.toThrow(/ENOENT/)
  })

  it('should refuse to start while another live run holds the lock', async () => {
    const lockFile = join(dir, 'held.lock')
    const inner: Pipeline<Ctx> = {
      name: 'inner',
      lock: () => ({ file: lockFile, holder: 'inner' }),
      steps: [record('b', true)],
    }
    const outer: Pipeline<Ctx> = {
      name: 'outer',
      lock: () => ({ file: lockFile, holder: 'outer' }),
      steps: [
        defineStep<Ctx>({
          name: 'nested',
          changes: true,
          run: async (c) => {
            expect(JSON.parse(await readFile(lockFile, 'utf8'))).toMatchObject({ holder: 'outer' })
            await runPipeline(inner, c)
          },
        }),
      ],
    }
    await expect(runPipeline(outer, { dryRun: false, log: [] })).rejects.toThrow(
      /locked: outer \(pid/
    )
  })

  it('should run every check when told to keep going, then fail naming each failed one', async () => {
    const ctx: Ctx = { dryRun: false, log: [] }
    const p: Pipeline<Ctx> = {
      name: 'checks',
      keepGoing: true,
      steps: [record('a', false, true), record('b', false), record('c', false, true)],
    }
    await expect(runPipeline(p, ctx)).rejects.toThrow('2 check(s) failed: a, c')
    expect(ctx.log).toEqual(['a', 'b', 'c'])
  })

  it('should run the checks before taking the lock, so a refused run never waits on it', async () => {
    const lockFile = join(dir, 'checked.lock')
    const seen: boolean[] = []
    const probe = (name: string) =>
      defineStep<Ctx>({
        name,
        changes: false,
        run: async () => {
          seen.push(
            await stat(lockFile).then(
              () => true,
              () => false
            )
          )
        },
      })
    await runPipeline(
      {
        name: 'x',
        checks: [probe('before')],
        lock: () => [{ file: lockFile, holder: 'x' }],
        steps: [probe('after')],
      },
      { dryRun: false, log: [] }
    )
    expect(seen).toEqual([false, true])
  })

  it('should leave out a step whose when is false, silently, and show the failure to always steps', async () => {
    const ctx: Ctx = { dryRun: false, log: [] }
    const onFailure = defineStep<Ctx>({
      ...record('undo', true),
      when: (c) => c.failure !== undefined,
    })
    const never = defineStep<Ctx>({ ...record('never', true), when: () => false })
    await runPipeline({ name: 'x', steps: [never, record('a', true)], always: [onFailure] }, ctx)
    expect(ctx.log).toEqual(['a'])
    expect(out.join('')).not.toContain('never')
    await expect(
      runPipeline({ name: 'x', steps: [record('b', true, true)], always: [onFailure] }, ctx)
    ).rejects.toThrow('b failed')
    expect(ctx.log).toEqual(['a', 'b', 'undo'])
  })

  it('should try a failed idempotent step again, but never an expected stop', async () => {
    let calls = 0
    const flaky = async () => {
      if (++calls < 3) throw new Error('connection reset')
      return 'ok'
    }
    await expect(withRetries(2, flaky, () => 1)).resolves.toBe('ok')
    expect(calls).toBe(3)
    calls = 0
    await expect(withRetries(1, flaky, () => 1)).rejects.toThrow('connection reset')
    expect(calls).toBe(2)
    calls = 0
    const stop = async () => {
      calls++
      throw new StopError('no such image', 'build it')
    }
    await expect(withRetries(3, stop, () => 1)).rejects.toThrow('no such image')
    expect(calls).toBe(1)
  })

  it('should skip a step that says why', async () => {
    const ctx: Ctx = { dryRun: false, log: [] }
    const skipped = defineStep<Ctx>({ ...record('s', true), skip: () => 'nothing due' })
    await runPipeline({ name: 'x', steps: [skipped] }, ctx)
    expect(ctx.log).toEqual([])
    expect(out.join('')).toContain('- s: skipped, nothing due')
  })
})

describe('the operator environment', () => {
  it('should apply defaults, treat empty values as unset, and keep every variable raw', () => {
    const env = parseOpsEnv({ KEEP_DAILY: '3', SCRIBE_TAG: '', AWS_REGION: 'x' }, '/x/.env')
    expect(env.KEEP_DAILY).toBe(3)
    expect(env.SCRIBE_TAG).toBe('local')
    expect(env.COMPOSE_PROJECT_NAME).toBe('medic-scribe')
    expect(env.raw.AWS_REGION).toBe('x')
  })

  it('should stop with one line naming a bad setting and the file', () => {
    expect(() => parseOpsEnv({ KEEP_DAILY: 'many' }, '/x/.env')).toThrow(/bad setting KEEP_DAILY/)
    expect(() => parseOpsEnv({ STACK_MODE: 'cloud' }, '/x/.env')).toThrow(StopError)
  })
})
