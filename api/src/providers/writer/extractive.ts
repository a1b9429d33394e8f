import { SECTION_NAMES } from '../../contract/names.ts'
import type { SectionName, SpeakerRole } from '../../contract/names.ts'
import type { Sections, Utterance } from '../../contract/soap-note.ts'
import { emptySections } from '../../notes/sections.ts'
import { isSoapShaped } from '../../templates/builtin.ts'
import type { NoteWriter, WriterInput, WriterOutput } from '../types.ts'
import { keepStrongest } from './extractive-candidate.ts'
import type { Candidate, Evidence } from './extractive-candidate.ts'
import { placeOnTemplate } from './extractive-template.ts'
import { roleAdjusted } from './extractive-roles.ts'
import {
  ABBREVIATIONS,
  LEADING_FILLER,
  LEXICON,
  MIN_SCORE,
  MIN_WORDS,
  TIE_BREAK,
} from './extractive-lexicon.ts'
import type { Cue } from './extractive-lexicon.ts'

/**
 * The offline writer: no model, no network. Each sentence of the transcript is scored
 * against the keyword lexicon and copied verbatim into the best-scoring SOAP section, with
 * its utterance as evidence. Same input, same output, byte for byte.
 */
export function createExtractiveWriter(): NoteWriter {
  return {
    name: 'extractive',
    model: 'extractive-v1',
    promptVersion: 'extractive.v1',
    async write(input: WriterInput, signal?: AbortSignal): Promise<WriterOutput> {
      signal?.throwIfAborted()
      return writeExtractive(input)
    },
  }
}

type Rule = { section: SectionName; weight: number; pattern: RegExp }

const EMPTY_SECTION_WARNINGS: Readonly<Record<SectionName, string>> = {
  subjective: 'no symptoms or history were stated',
  objective: 'no objective findings were stated',
  assessment: 'no assessment or diagnosis was stated',
  plan: 'no plan was stated',
}
const ENGLISH_ONLY_WARNING =
  'the extractive writer only understands English keywords; sections may be incomplete'

const RULES: readonly Rule[] = SECTION_NAMES.flatMap((section) =>
  LEXICON[section].flatMap(({ weight, cues }) =>
    cues.map((cue) => ({ section, weight, pattern: compileCue(cue) }))
  )
)

/** A phrase becomes a whole-word, case-insensitive pattern; a trailing `*` matches a word ending. */
function compileCue(cue: Cue): RegExp {
  if (cue instanceof RegExp) return new RegExp(cue.source, 'i')
  const prefix = cue.endsWith('*')
  const words = (prefix ? cue.slice(0, -1) : cue).trim().split(/\s+/)
  const body = words.map((w) => w.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('\\s+')
  return new RegExp(`(?<![a-z0-9])${body}${prefix ? '[a-z]*' : ''}(?![a-z0-9])`, 'i')
}

export function writeExtractive(input: WriterInput): WriterOutput {
  const { utterances } = input.transcript
  const languageWarnings = isEnglish(input) ? [] : [ENGLISH_ONLY_WARNING]
  const words = utterances.reduce((n, u) => n + countWords(u.text), 0)
  if (words < MIN_WORDS) {
    return insufficient(
      `too little speech to write a note (${words} words)`,
      languageWarnings,
      input.template.sections.map((s) => s.key)
    )
  }
  const keys = input.template.sections.map((s) => s.key)
  const roles = new Map(input.transcript.speakers?.map((s) => [s.id, s.role]))
  const candidates = collectCandidates(utterances, roles)
  if (candidates.length === 0) {
    return insufficient(
      'no clinical content was recognised in the recording',
      languageWarnings,
      keys
    )
  }
  // A clinician's own sections: what the SOAP sectioner found, placed where the sections'
  // titles and instructions say it belongs, and the rest named in the warnings.
  if (!isSoapShaped(input.template.sections)) {
    const placed = placeOnTemplate(candidates, input.template.sections)
    return { status: 'ok', ...placed, warnings: [...placed.warnings, ...languageWarnings] }
  }
  const sections: Sections = emptySections()
  const warnings: string[] = []
  for (const section of input.template.sections) {
    const name = section.key as SectionName
    let chosen = candidates.filter((c) => c.section === name)
    if (section.max_items) chosen = keepStrongest(chosen, section.max_items)
    sections[name] = { items: chosen.map((c) => ({ text: c.text, evidence: c.evidence })) }
    if (chosen.length === 0) warnings.push(EMPTY_SECTION_WARNINGS[name])
  }
  return { status: 'ok', sections, warnings: [...warnings, ...languageWarnings] }
}

function insufficient(reason: string, extra: string[], keys: readonly string[]): WriterOutput {
  return {
    status: 'insufficient_content',
    sections: emptySections(keys),
    warnings: [reason, ...extra],
  }
}

/** Every classified sentence once, in spoken order; a repeated sentence gains evidence. */
function collectCandidates(
  utterances: readonly Utterance[],
  roles: ReadonlyMap<string, SpeakerRole>
): Candidate[] {
  const byKey = new Map<string, Candidate | null>()
  for (const u of utterances) {
    for (const sentence of splitSentences(u.text)) {
      const text = tidy(sentence)
      if (!/[\p{L}\p{N}]/u.test(text) || /\?["')\]]*$/.test(text)) continue // questions are not findings
      const key = text.toLowerCase().replace(/[\s.!,;:]+$/, '')
      const evidence: Evidence = { utterance_id: u.id, start: u.start, end: u.end }
      const seen = byKey.get(key)
      if (seen === undefined) {
        const best = classify(text, roles.get(u.speaker))
        byKey.set(key, best && { text, ...best, evidence: [evidence] })
      } else if (seen && !seen.evidence.some((e) => e.utterance_id === u.id)) {
        seen.evidence.push(evidence)
      }
    }
  }
  return [...byKey.values()].filter((c): c is Candidate => c !== null)
}

/** The best section for a sentence, or null when no section reaches MIN_SCORE. */
export function classify(
  sentence: string,
  role?: SpeakerRole
): { section: SectionName; score: number } | null {
  const normalised = sentence.replace(/[\u2018\u2019\u02bc]/g, "'").replace(/\s+/g, ' ')
  const raw: Record<SectionName, number> = {
    subjective: 0,
    objective: 0,
    assessment: 0,
    plan: 0,
  }
  for (const rule of RULES) if (rule.pattern.test(normalised)) raw[rule.section] += rule.weight
  const scores = roleAdjusted(raw, role)
  let best: SectionName = TIE_BREAK[0] ?? 'subjective'
  for (const name of TIE_BREAK) if (scores[name] > scores[best]) best = name
  return scores[best] >= MIN_SCORE ? { section: best, score: scores[best] } : null
}

/** Sentences end at . ! ? or … followed by space, or at a line break; "Dr. Patel" and "38.2" stay whole. */
export function splitSentences(text: string): string[] {
  const out: string[] = []
  for (const part of text.split(/(?<=[.!?\u2026]["')\]]*)\s+|\n+/)) {
    const previous = out.at(-1)
    if (previous !== undefined && endsWithAbbreviation(previous)) out[out.length - 1] += ` ${part}`
    else out.push(part)
  }
  return out.filter((s) => s.trim() !== '')
}

function endsWithAbbreviation(sentence: string): boolean {
  const match = /(?:^|\s)([a-z.]+)\.$/i.exec(sentence)
  return match?.[1] !== undefined && ABBREVIATIONS.includes(match[1].toLowerCase())
}

/** Whitespace normalised, hesitation noises dropped, first letter capitalised; nothing else changes. */
function tidy(sentence: string): string {
  const text = sentence.replace(/\s+/g, ' ').trim().replace(LEADING_FILLER, '')
  return text.charAt(0).toUpperCase() + text.slice(1)
}

function countWords(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length
}

/** English, or unknown/automatic with an English transcript. */
function isEnglish({ language, transcript }: WriterInput): boolean {
  const requested = language.trim().toLowerCase()
  const effective = requested === '' || requested === 'auto' ? transcript.language : requested
  const primary = effective.trim().toLowerCase().split(/[-_]/)[0] ?? ''
  return primary === '' || primary === 'en' || primary === 'eng' || primary === 'english'
}
