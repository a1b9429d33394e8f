// What the provider unit tests share around provider-mocks.ts: one msw server per test file
// (started before the tests, reset after each, closed at the end) and a way to await the
// ProviderError a call must fail with.
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, expect } from 'vitest'
import { ProviderError } from '../../api/src/providers/types.ts'
import { sdkProbeHandlers } from './provider-mocks.ts'

/**
 * An msw server with the SDK probe handlers, listening for the whole file and refusing any
 * request no handler answers. Call it at the top level of a test file.
 */
export function useProviderServer() {
  const server = setupServer(...sdkProbeHandlers)
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterEach(() => server.resetHandlers())
  afterAll(() => server.close())
  return server
}

/** The error `promise` rejects with, which must be a ProviderError; fails if it resolves. */
export async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(
    () => {
      throw new Error('expected the call to fail')
    },
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(ProviderError)
  return err as ProviderError
}
