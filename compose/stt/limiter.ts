// Pure: at most `concurrency` jobs run at once; at most `maxWaiting` wait; more are refused.

export class BusyError extends Error {
  constructor() {
    super('the speech engine is busy')
    this.name = 'BusyError'
  }
}

export type Limiter = {
  run<T>(job: () => Promise<T>): Promise<T>
  readonly active: number
  readonly waiting: number
}

export function createLimiter(concurrency: number, maxWaiting: number): Limiter {
  let active = 0
  // A finishing job hands its slot straight to the next waiter, so no newcomer can slip in.
  const queue: (() => void)[] = []
  const release = () => {
    const next = queue.shift()
    if (next) next()
    else active--
  }
  return {
    get active() {
      return active
    },
    get waiting() {
      return queue.length
    },
    async run<T>(job: () => Promise<T>): Promise<T> {
      if (active >= concurrency) {
        if (queue.length >= maxWaiting) throw new BusyError()
        await new Promise<void>((resolve) => queue.push(resolve))
      } else {
        active++
      }
      try {
        return await job()
      } finally {
        release()
      }
    },
  }
}
