import { describe, expect, inject, it } from 'vitest'
import { consultationWav } from '../support/audio.ts'
import { connect, until } from './stack.ts'

const stack = inject('stack')

describe.skipIf(!stack)('durability: restarts, down/up, and a killed api', () => {
  const s = connect(stack!)
  const { healthy } = s
  const edgeUp = () =>
    until(
      'the api through the edge',
      async () => (await s.request('/health/live')).status === 200,
      120_000
    )

  const noteOf = async (token: string) => s.uploadAndSettle(token, await consultationWav())

  it('should keep notes across a restart of the api and of postgres, and push events again after', async () => {
    const token = await s.login()
    const { rec } = await noteOf(token)
    expect(rec.status).toBe('done')
    const before = await s.json<{ sections: unknown }>(token, `/api/notes/${rec.note_id}`)

    await s.docker('restart', s.container('api'))
    await healthy('api')
    await edgeUp()
    expect(await s.json<{ sections: unknown }>(token, `/api/notes/${rec.note_id}`)).toEqual(before)

    await s.docker('restart', s.container('postgres'))
    await healthy('postgres')
    await until(
      'the api to reach postgres again',
      async () =>
        (await s.request('/api/notes', { headers: { authorization: `Bearer ${token}` } }))
          .status === 200
    )
    expect(await s.json<{ sections: unknown }>(token, `/api/notes/${rec.note_id}`)).toEqual(before)

    // Live events survive the database restart: the API listens again.
    const socket = await s.socket(token)
    const again = await noteOf(token)
    await until(
      'note.ready after the postgres restart',
      async () => socket.events.some((e) => e.type === 'note.ready' && e.recording_id === again.id),
      30_000
    )
    socket.ws.close()
  })

  it('should keep everything across docker compose down and up with the volumes kept', async () => {
    const token = await s.login()
    const { rec } = await noteOf(token)
    const before = await s.json<{ sections: unknown }>(token, `/api/notes/${rec.note_id}`)
    await s.compose('down')
    await s.compose('up', '-d', '--wait', '--wait-timeout', '180')
    await edgeUp()
    const after = await s.login()
    expect(await s.json<{ sections: unknown }>(after, `/api/notes/${rec.note_id}`)).toEqual(before)
  })

  it('should finish a recording acknowledged just before docker kill api', async () => {
    const token = await s.login()
    const res = await s.upload(token, await consultationWav())
    expect(res.status).toBe(202)
    const { id } = (await res.json()) as { id: string }
    await s.docker('kill', s.container('api'))
    await s.docker('start', s.container('api'))
    await healthy('api')
    const rec = await s.settled(token, id, 'the killed recording to finish')
    expect(rec.status).toBe('done')
    const notes = await s.json<{ items: { recording_id: string }[] }>(token, '/api/notes?limit=100')
    expect(notes.items.filter((n) => n.recording_id === id)).toHaveLength(1)
  })
})
