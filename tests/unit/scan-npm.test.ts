// npm packages past their maintained major: a newer major exists and the installed line has had
// no release for a year. Judged from `npm view`'s versions and publish times.
import { describe, expect, it } from 'vitest'
import { newestOfMajor, pastMaintainedMajor } from '../../ops/steps/scan/runtimes.ts'

const versions = ['1.0.0', '1.4.2', '2.0.0-rc.1', '2.0.0', '2.1.0', '3.0.0']
const time = {
  '1.0.0': '2021-01-01T00:00:00Z',
  '1.4.2': '2023-03-01T00:00:00Z',
  '2.0.0-rc.1': '2024-01-01T00:00:00Z',
  '2.0.0': '2024-02-01T00:00:00Z',
  '2.1.0': '2026-10-01T00:00:00Z',
  '3.0.0': '2026-11-01T00:00:00Z',
}

describe('npm maintained majors', () => {
  it("should find the newest release of the installed version's major line", () => {
    expect(newestOfMajor('1.0.0', versions, time)).toEqual({
      version: '1.4.2',
      published: '2023-03-01T00:00:00Z',
    })
    expect(newestOfMajor('2.0.0', versions, time)?.version).toBe('2.1.0')
    expect(newestOfMajor('9.0.0', versions, time)).toBeUndefined()
  })

  it('should call a major past its maintenance only when a newer one exists and it went quiet', () => {
    const answer = (installed: string) => ({
      latest: '3.0.0',
      majorNewest: newestOfMajor(installed, versions, time)!,
      checkedAt: '2026-12-01T00:00:00Z',
    })
    // Major 1: last release March 2023, major 3 exists.
    expect(pastMaintainedMajor('1.0.0', answer('1.0.0'), '2026-12-01')).toBe(true)
    // Major 2: behind, but released two months ago: still maintained.
    expect(pastMaintainedMajor('2.0.0', answer('2.0.0'), '2026-12-01')).toBe(false)
    // The latest major itself is never past it.
    expect(pastMaintainedMajor('3.0.0', answer('3.0.0'), '2030-01-01')).toBe(false)
    // No publish times: nothing is claimed.
    expect(pastMaintainedMajor('1.0.0', { latest: '3.0.0', checkedAt: '' }, '2026-12-01')).toBe(
      false
    )
  })
})
