// The headers Hono's secureHeaders() sets by default (with CORP same-origin), written once here
// so the hot JSON routes can send them as a plain object: node-server then hands that object
// straight to writeHead, with no Headers instance built, validated and copied per request.
// No imports: the benchmark's bare node:http baseline (api/bench/bare-server.ts) sends the same.
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=15552000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
})
