// Holds every answer the API gives in the unit tests against its contract (api/src/contract/):
// the harness runs each response through `checkResponse`, and a test file whose flows produced
// an answer the contract does not describe fails when its harness closes.
import type { z } from 'zod'
import { API_ROUTES } from '../../api/src/contract/routes.ts'
import type { ApiRoute, ResponseBody } from '../../api/src/contract/routes.ts'
import { ErrorEnvelopeSchema } from '../../api/src/contract/errors.ts'

const ROUTES = (Object.keys(API_ROUTES) as ApiRoute[]).map((key) => {
  const [method, path] = key.split(' ') as [string, string]
  const pattern = new RegExp(`^${path.replace(/:[^/]+/g, '[^/]+')}$`)
  return { key, method, pattern }
})

/** The contract's route for a request, as the router would pick it (HEAD is GET). */
export function routeFor(method: string, pathname: string): ApiRoute | undefined {
  const m = method === 'HEAD' ? 'GET' : method
  return ROUTES.find((r) => r.method === m && r.pattern.test(pathname))?.key
}

const issues = (error: z.ZodError) =>
  error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')

/**
 * What is wrong with `res` by the contract, or undefined when it describes it. A status the
 * route does not list is an error envelope when it is 400 or above, and a break otherwise.
 */
export async function checkResponse(
  method: string,
  url: string,
  res: Response
): Promise<string | undefined> {
  const pathname = new URL(url, 'http://scribe.test').pathname
  const key = routeFor(method, pathname)
  const where = `${method} ${pathname} → ${res.status}${key ? ` (${key})` : ''}`
  const declared = key
    ? (API_ROUTES[key].responses as Partial<Record<number, ResponseBody | ResponseBody[]>>)[
        res.status
      ]
    : undefined
  const bodies: ResponseBody[] =
    declared !== undefined ? [declared].flat() : res.status >= 400 ? [ErrorEnvelopeSchema] : []
  if (bodies.length === 0) {
    return `${where}: ${key ? 'a status the route does not declare' : 'no such route in the contract'}`
  }
  const type = res.headers.get('content-type') ?? ''
  const problems: string[] = []
  for (const body of bodies) {
    if ('media' in body) {
      if (body.media === null) {
        if (res.body === null || type === '') return undefined
        problems.push(`a body (${type}) where none is declared`)
      } else if (body.media.test(type)) {
        return undefined
      } else {
        problems.push(`content-type ${type || '(none)'} is not ${body.media}`)
      }
      continue
    }
    if (!/^application\/json/.test(type)) {
      problems.push(`content-type ${type || '(none)'} where JSON is declared`)
      continue
    }
    if (method === 'HEAD') return undefined
    let json: unknown
    try {
      json = JSON.parse(await res.clone().text())
    } catch {
      problems.push('a body that is not JSON')
      continue
    }
    const parsed = body.safeParse(json)
    if (parsed.success) return undefined
    problems.push(issues(parsed.error))
  }
  return `${where}: ${problems.join(' | ')}`
}

/** Collects the breaks of the contract seen through `fetch` and `request`. */
export function createContractLog() {
  const violations: string[] = []
  const seen = new Set<string>()
  const record = async (method: string, url: string, res: Response) => {
    const key = routeFor(method, new URL(url, 'http://scribe.test').pathname)
    if (key) seen.add(`${key} ${res.status}`)
    const problem = await checkResponse(method, url, res)
    if (problem) violations.push(problem)
  }
  return {
    violations,
    /** `METHOD /path status` for every answer seen, by the contract's route names. */
    seen,
    /** Wraps a fetch handler so that every answer it gives is checked on the way out. */
    checked<A extends unknown[]>(
      fetch: (req: Request, ...rest: A) => Response | Promise<Response>
    ) {
      return async (req: Request, ...rest: A): Promise<Response> => {
        const res = await fetch(req, ...rest)
        await record(req.method, req.url, res)
        return res
      }
    },
    record,
    /** Throws with every break seen, so the test file fails where its harness closes. */
    assertClean() {
      if (violations.length > 0) {
        throw new Error(
          `the API answered ${violations.length} response(s) its contract does not describe:\n` +
            violations.join('\n')
        )
      }
    },
  }
}
export type ContractLog = ReturnType<typeof createContractLog>
