import { render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import type { QueueItem, QueueSnapshot } from '../lib/queue.ts'
import { QueueBanner, waitingMessage } from './QueueStatus.tsx'

const item = (id: string, status: QueueItem['status']): QueueItem => ({
  id,
  createdAt: 1,
  status,
  template: 'soap',
  language: 'en',
  patientRef: '',
  sampleRate: 16_000,
  durationMs: 1000,
  bytes: 32_000,
  chunkCount: 1,
  attempts: 0,
  nextAttemptAt: 0,
  lastError: null,
  progress: null,
})
const snap = (over: Partial<QueueSnapshot>): QueueSnapshot => ({
  items: [item('a', 'pending'), item('b', 'pending')],
  online: false,
  signedIn: true,
  waiting: 2,
  ...over,
})

describe('queue status', () => {
  it('says plainly what is still waiting', () => {
    expect(waitingMessage(snap({}))).toBe('2 recordings waiting for the network')
    expect(waitingMessage(snap({ waiting: 1 }))).toBe('1 recording waiting for the network')
    expect(waitingMessage(snap({ online: true, signedIn: false }))).toBe(
      '2 recordings waiting for you to sign in'
    )
    expect(
      waitingMessage(snap({ online: true, items: [item('a', 'uploading'), item('b', 'pending')] }))
    ).toBe('2 recordings uploading')
    expect(waitingMessage(snap({ waiting: 0, items: [] }))).toBeNull()
  })

  it('announces it in a polite live region, with refused uploads counted apart', () => {
    render(<QueueBanner snapshot={snap({ items: [...snap({}).items, item('c', 'failed')] })} />)
    const region = screen.getByRole('status')
    expect(region.textContent).toBe(
      '2 recordings waiting for the network · 1 recording refused by the server, kept on this device'
    )
    expect(region.getAttribute('aria-live')).toBe('polite')
  })
})
