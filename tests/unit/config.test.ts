import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../api/src/config.ts'

describe('parseConfig', () => {
  it('should apply the documented defaults', () => {
    const c = parseConfig({})
    expect(c.PORT).toBe(8080)
    expect(c.AUDIO_DIR).toBe('./data/audio')
    expect(c.NOTES_DIR).toBe('./data/notes')
    expect(c.MAX_UPLOAD_BYTES).toBe(200 * 1024 * 1024)
    expect(c.WRITER_PROVIDER).toBe('extractive')
    expect(c.STT_PROVIDER).toBeUndefined()
  })

  it('should choose providers from the keys that are set', () => {
    expect(parseConfig({ DEEPGRAM_API_KEY: 'k' }).STT_PROVIDER).toBe('deepgram')
    expect(parseConfig({ STT_BASE_URL: 'http://stt:8000/v1' }).STT_PROVIDER).toBe('openai')
    expect(parseConfig({ OPENAI_BASE_URL: 'http://ollama:11434/v1' }).WRITER_PROVIDER).toBe(
      'openai'
    )
  })

  it('should name every bad variable in one line', () => {
    expect(() => parseConfig({ PORT: 'eighty', MAX_UPLOAD_MB: '-1' })).toThrow(
      /PORT: .*; MAX_UPLOAD_MB: /
    )
    expect(() => parseConfig({ DATABASE_URL: 'mysql://x' })).toThrow(
      /DATABASE_URL: must be a postgres:\/\/ URL/
    )
  })

  it('should require a JWT secret in production', () => {
    expect(() => parseConfig({ NODE_ENV: 'production' })).toThrow(
      /JWT_SECRET: required in production/
    )
    expect(() => parseConfig({ JWT_SECRET: 'short' })).toThrow(
      /JWT_SECRET: must be at least 32 characters/
    )
  })
})
