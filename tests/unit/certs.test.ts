import { describe, expect, it } from 'vitest'
import { parseCertMetrics, renderCertMetrics } from '../../ops/lib/cert-metrics.ts'
import {
  certbotFailure,
  certonlyArgs,
  parseCertbotReport,
  renewArgs,
} from '../../ops/lib/certbot.ts'
import { parseOpsEnv } from '../../ops/lib/env.ts'
import { normalizeSerial } from '../../ops/lib/served-cert.ts'
import { parseTestssl } from '../../ops/lib/testssl.ts'

describe('certbot wrapper report', () => {
  it('should read the deployed lineages and the certificates in the volume', () => {
    const r = parseCertbotReport(
      [
        'Saving debug log to /tmp/certbot/logs/letsencrypt.log',
        'DEPLOYED /etc/letsencrypt/live/scribe.example.org',
        'CERT scribe.example.org 0A1B2C 1900000000 https://acme.example/dir',
      ].join('\n')
    )
    expect(r.deployed).toEqual(['scribe.example.org'])
    expect(r.certs).toEqual([
      {
        name: 'scribe.example.org',
        serial: 'A1B2C',
        notAfter: new Date(1900000000 * 1000),
        server: 'https://acme.example/dir',
      },
    ])
  })

  it('should name the cause of a failure, not the report lines', () => {
    const out = [
      "Failed to renew certificate scribe.test with error: HTTPSConnectionPool(host='pebble', port=14000): Max retries exceeded",
      'CERT scribe.test 1 2 https://pebble:14000/dir',
    ].join('\n')
    expect(certbotFailure(out)).toMatch(/^Failed to renew certificate scribe\.test/)
  })
})

describe('certbot arguments', () => {
  it('should skip the random renewal wait only when asked (drills)', () => {
    expect(renewArgs({ force: false, noRandomSleep: false })).not.toContain(
      '--no-random-sleep-on-renew'
    )
    expect(renewArgs({ force: true, noRandomSleep: true })).toEqual(
      expect.arrayContaining(['--no-random-sleep-on-renew', '--force-renewal'])
    )
  })

  it('should ask for every name, the profile, and keep an unexpired certificate', () => {
    const args = certonlyArgs({
      certName: 'a.example',
      names: ['a.example', 'www.a.example'],
      server: 'https://ca/dir',
      profile: 'tlsserver',
      force: false,
    })
    expect(args.join(' ')).toContain('-d a.example -d www.a.example')
    expect(args.join(' ')).toContain('--preferred-profile tlsserver')
    expect(args).toContain('--keep-until-expiring')
    expect(args).toContain('--register-unsafely-without-email')
  })
})

describe('certificate metrics', () => {
  it('should keep the other outcome when one is updated', () => {
    const text = renderCertMetrics({
      notAfter: { 'a.example': new Date(2_000_000_000_000) },
      lastFailure: new Date(1_800_000_000_000),
    })
    expect(text).toContain(
      'medic_scribe_certificate_not_after_timestamp_seconds{name="a.example"} 2000000000'
    )
    expect(text).toContain('medic_scribe_certificate_renewal_last_success_timestamp_seconds 0')
    const back = parseCertMetrics(text)
    expect(back.lastFailure).toEqual(new Date(1_800_000_000_000))
    expect(back.lastSuccess).toBeUndefined()
    expect(back.notAfter['a.example']).toEqual(new Date(2_000_000_000_000))
  })
})

describe('certificate settings', () => {
  it('should name every bad value on a line of its own', () => {
    let message = ''
    try {
      parseOpsEnv(
        {
          ACME_SERVER: 'http://ca/dir',
          ACME_EMAIL: 'nobody',
          CERT_EXTRA_NAMES: 'ok.example,bad_name',
        },
        '/x/.env'
      )
    } catch (err) {
      message = (err as Error).message
    }
    const lines = message.split('\n')
    expect(lines).toHaveLength(3)
    expect(lines[0]).toMatch(/bad setting ACME_SERVER/)
    expect(lines[1]).toMatch(/bad setting ACME_EMAIL/)
    expect(lines[2]).toMatch(/bad setting CERT_EXTRA_NAMES/)
  })

  it('should read extra names separated by commas or spaces', () => {
    const env = parseOpsEnv({ CERT_EXTRA_NAMES: 'www.a.example, b.example' }, '/x/.env')
    expect(env.CERT_EXTRA_NAMES).toEqual(['www.a.example', 'b.example'])
  })
})

describe('testssl.sh JSON', () => {
  it('should read the grade, caps, protocols, suites and HSTS', () => {
    const r = parseTestssl(
      JSON.stringify([
        { id: 'engine_problem', severity: 'WARN', finding: 'No engine' },
        { id: 'TLS1_1', severity: 'INFO', finding: 'not offered' },
        { id: 'TLS1_2', severity: 'OK', finding: 'offered' },
        { id: 'TLS1_3', severity: 'OK', finding: 'offered with final' },
        {
          id: 'cipher_xc02c',
          severity: 'INFO',
          finding: 'xc02c   ECDHE-ECDSA-AES256-GCM-SHA384  ECDH 253',
        },
        { id: 'FS_ECDHE_curves', severity: 'OK', finding: 'prime256v1 X25519' },
        {
          id: 'HSTS_time',
          severity: 'OK',
          finding: '365 days (=31536000 seconds) > 15552000 seconds',
        },
        { id: 'cert_revocation', severity: 'HIGH', finding: 'Neither CRL nor OCSP URI provided' },
        { id: 'final_score', severity: 'INFO', finding: '96' },
        { id: 'overall_grade', severity: 'CRITICAL', finding: 'T' },
        {
          id: 'grade_cap_reason_1',
          severity: 'INFO',
          finding: 'Grade capped to T. chain of trust',
        },
      ])
    )
    expect(r.grade).toBe('T')
    expect(r.score).toBe(96)
    expect(r.protocols).toEqual({ TLS1_1: false, TLS1_2: true, TLS1_3: true })
    expect(r.ciphers).toEqual(['ECDHE-ECDSA-AES256-GCM-SHA384'])
    expect(r.curves).toEqual(['prime256v1', 'X25519'])
    expect(r.hstsSeconds).toBe(31536000)
    expect(r.capReasons).toEqual(['Grade capped to T. chain of trust'])
    expect(r.findings.map((f) => f.id)).toEqual(['cert_revocation'])
  })

  it('should spell serials one way', () => {
    expect(normalizeSerial('00:0a:1B')).toBe('A1B')
  })
})
