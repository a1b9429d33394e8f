// k6 run -e PROFILE=load -e BASE_URL=https://localhost:8443 -e EMAIL=… -e PASSWORD=… \
//   -e AUDIO=path/to/consultation.wav tests/load/scribe.k6.js
// `make load` runs this when k6 is installed (tests/load/run.ts writes the WAV and passes the
// env); the scenarios and thresholds come from scenarios.json, shared with the fallback.
import http from 'k6/http'
import { check } from 'k6'

const spec = JSON.parse(open('./scenarios.json'))
const profileName = __ENV.PROFILE || 'smoke'
const profile = spec.profiles[profileName]
const duration = `${__ENV.DURATION || profile.duration}s`
const audio = open(__ENV.AUDIO, 'b')

// 429 is the edge's rate limit doing its job: counted apart, not as a failed request.
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 399 }, 429))

export const options = {
  insecureSkipTLSVerify: true,
  scenarios: Object.fromEntries(
    Object.entries(profile.rates).map(([name, rate]) => [
      name,
      {
        executor: 'constant-arrival-rate',
        exec: name,
        duration,
        // Sub-1/s rates (sign-in, upload): one request per 1/rate seconds.
        rate: rate >= 1 ? rate : 1,
        timeUnit: rate >= 1 ? '1s' : `${Math.round(1 / rate)}s`,
        preAllocatedVUs: Math.max(2, Math.ceil(rate)),
        maxVUs: Math.max(10, Math.ceil(rate * 4)),
        tags: { kind: spec.scenarios[name].kind },
      },
    ])
  ),
  thresholds: {
    'http_req_duration{kind:read}': [`p(95)<${spec.thresholds.p95ReadMs}`],
    http_req_failed: [`rate<${spec.thresholds.maxErrorRate}`],
  },
  summaryTrendStats: ['p(50)', 'p(95)', 'p(99)', 'max'],
}

const base = __ENV.BASE_URL
const login = () =>
  http.post(
    `${base}/api/auth/login`,
    JSON.stringify({ email: __ENV.EMAIL, password: __ENV.PASSWORD }),
    { headers: { 'content-type': 'application/json' } }
  )

export function setup() {
  const res = login()
  check(res, { 'setup sign-in 200': (r) => r.status === 200 })
  return { token: res.json('access_token') }
}

const auth = (data) => ({ headers: { authorization: `Bearer ${data.token}` } })

export function health() {
  check(http.get(`${base}${spec.scenarios.health.path}`), { 'health 200': (r) => r.status === 200 })
}
export function notes(data) {
  check(http.get(`${base}${spec.scenarios.notes.path}`, auth(data)), {
    'notes 200': (r) => r.status === 200,
  })
}
export function signin() {
  check(login(), { 'sign-in 200 or limited': (r) => r.status === 200 || r.status === 429 })
}
export function upload(data) {
  const body = { audio: http.file(audio, 'consultation.wav', 'audio/wav') }
  check(http.post(`${base}${spec.scenarios.upload.path}`, body, auth(data)), {
    'upload 202': (r) => r.status === 202,
  })
}
