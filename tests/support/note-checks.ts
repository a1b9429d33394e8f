// What every note from a long recording must satisfy, whatever the engine: evidence inside the
// audio, in order, pointing at utterances that exist with the same times.
import { expect } from 'vitest'
import type { Note as NoteResponse } from '../../api/src/contract/notes.ts'

export function expectEvidenceWithin(note: NoteResponse, audioSeconds: number) {
  const utterances = note.transcript.utterances
  const starts = utterances.map((u) => u.start)
  expect(starts).toEqual([...starts].sort((a, b) => a - b))
  expect(new Set(utterances.map((u) => u.id)).size).toBe(utterances.length)
  for (const u of utterances) {
    expect(u.start).toBeGreaterThanOrEqual(0)
    expect(u.end).toBeGreaterThanOrEqual(u.start)
    expect(u.end).toBeLessThanOrEqual(audioSeconds)
  }
  const byId = new Map(utterances.map((u) => [u.id, u]))
  let evidence = 0
  for (const section of Object.values(note.sections)) {
    // Items in the order they were said; an item said more than once cites every time, in order.
    const firsts = section.items.map((i) => i.evidence[0]?.start ?? 0)
    expect(firsts).toEqual([...firsts].sort((a, b) => a - b))
    for (const item of section.items) {
      const times = item.evidence.map((e) => e.start)
      expect(times).toEqual([...times].sort((a, b) => a - b))
      for (const e of item.evidence) {
        evidence++
        const u = byId.get(e.utterance_id)
        expect(u, e.utterance_id).toBeDefined()
        expect([e.start, e.end]).toEqual([u!.start, u!.end])
        expect(e.end).toBeLessThanOrEqual(audioSeconds)
      }
    }
  }
  return { utterances: utterances.length, evidence }
}
