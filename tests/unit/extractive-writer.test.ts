import { describe, it, expect } from 'vitest'
import { BUILTIN_TEMPLATES } from '../../api/src/templates/builtin.ts'
import { createExtractiveWriter } from '../../api/src/providers/writer/extractive.ts'
import { SECTION_NAMES } from '../../api/src/contract/names.ts'
import type { Template } from '../../api/src/contract/names.ts'
import { SectionsSchema } from '../../api/src/contract/soap-note.ts'
import type { Sections, Utterance } from '../../api/src/contract/soap-note.ts'
import type { Transcript, WriterOutput } from '../../api/src/providers/types.ts'

type Line = [speaker: string, text: string]

function transcript(lines: Line[], language = 'en'): Transcript {
  const utterances: Utterance[] = lines.map(([speaker, text], i) => ({
    id: `u${i + 1}`,
    speaker,
    start: i * 10,
    end: i * 10 + 8.5,
    text,
  }))
  return { utterances, language, duration_s: lines.length * 10, provider: 'test', model: 'test' }
}

async function write(t: Transcript, template: Template = 'soap', language = t.language) {
  return createExtractiveWriter().write({
    transcript: t,
    template: BUILTIN_TEMPLATES[template],
    language,
  })
}

function texts(sections: Sections) {
  return Object.fromEntries(SECTION_NAMES.map((n) => [n, sections[n]!.items.map((i) => i.text)]))
}

function allItems(out: WriterOutput) {
  return SECTION_NAMES.flatMap((n) => out.sections[n]!.items)
}

const CONSULTATION: Line[] = [
  ['doctor', 'Good morning, come on in and have a seat. What brings you in today?'],
  [
    'patient',
    'I have had a headache for three days. It is worse in the morning and I feel nauseous.',
  ],
  ['doctor', 'Have you taken anything for it?'],
  ['patient', 'I have been taking ibuprofen 400 mg twice a day but it barely helps.'],
  ['patient', 'I am allergic to penicillin. The weather has been lovely though, hasn’t it?'],
  ['doctor', 'Let me check your vitals.'],
  ['doctor', 'Your blood pressure is 150/95 and your heart rate is 88. Temperature is 37.1.'],
  ['doctor', 'On examination, there is mild tenderness over the temples. Lungs are clear.'],
  ['doctor', 'Oxygen saturation is 98 percent.'],
  ['doctor', 'I think this is most likely a tension-type headache, probably related to stress.'],
  ['patient', 'Okay. Thank you.'],
  [
    'doctor',
    'I will prescribe naproxen 500 mg, take one tablet twice daily with food. I would like to order a blood test.',
  ],
  ['doctor', 'Please follow up in two weeks, and come back sooner if the headache gets worse.'],
  ['patient', 'Thanks, see you then.'],
]

describe('extractive writer', () => {
  it('identifies itself', () => {
    const w = createExtractiveWriter()
    expect([w.name, w.model, w.promptVersion]).toEqual([
      'extractive',
      'extractive-v1',
      'extractive.v1',
    ])
  })

  it('sorts a realistic consultation into the right sections', async () => {
    const out = await write(transcript(CONSULTATION))
    expect(out.status).toBe('ok')
    expect(out.warnings).toEqual([])
    expect(SectionsSchema.parse(out.sections)).toEqual(out.sections)
    expect(texts(out.sections)).toEqual({
      subjective: [
        'I have had a headache for three days.',
        'It is worse in the morning and I feel nauseous.',
        'I have been taking ibuprofen 400 mg twice a day but it barely helps.',
        'I am allergic to penicillin.',
      ],
      objective: [
        'Your blood pressure is 150/95 and your heart rate is 88.',
        'Temperature is 37.1.',
        'On examination, there is mild tenderness over the temples.',
        'Lungs are clear.',
        'Oxygen saturation is 98 percent.',
      ],
      assessment: [
        'I think this is most likely a tension-type headache, probably related to stress.',
      ],
      plan: [
        'I will prescribe naproxen 500 mg, take one tablet twice daily with food.',
        'I would like to order a blood test.',
        'Please follow up in two weeks, and come back sooner if the headache gets worse.',
      ],
    })
  })

  it('keeps numbers and units exactly as spoken', async () => {
    const out = await write(transcript(CONSULTATION))
    const all = allItems(out)
      .map((i) => i.text)
      .join('\n')
    for (const spoken of ['150/95', '37.1', '98 percent', '400 mg', '500 mg', 'twice daily']) {
      expect(all).toContain(spoken)
    }
    expect(all).not.toMatch(/150 over 95|thirty|five hundred/)
  })

  it('links every item to the utterance it came from, with its times', async () => {
    const t = transcript(CONSULTATION)
    const out = await write(t)
    const byId = new Map(t.utterances.map((u) => [u.id, u]))
    const items = allItems(out)
    expect(items.length).toBe(13)
    for (const item of items) {
      expect(item.evidence.length).toBeGreaterThan(0)
      for (const ev of item.evidence) {
        const u = byId.get(ev.utterance_id)
        expect(u, ev.utterance_id).toBeDefined()
        expect([ev.start, ev.end]).toEqual([u?.start, u?.end])
        expect(u?.text.replace(/\s+/g, ' ').toLowerCase()).toContain(
          item.text.replace(/[.!]$/, '').toLowerCase()
        )
      }
    }
    const bp = out.sections.objective!.items[0]
    expect(bp?.evidence).toEqual([{ utterance_id: 'u7', start: 60, end: 68.5 }])
  })

  it('is deterministic', async () => {
    const t = transcript(CONSULTATION)
    const a = await write(t)
    const b = await createExtractiveWriter().write(
      structuredClone({ transcript: t, template: BUILTIN_TEMPLATES['soap'], language: 'en' })
    )
    expect(b).toEqual(a)
    expect(JSON.stringify(b)).toBe(JSON.stringify(a))
  })

  it('reports insufficient content for a greeting', async () => {
    const out = await write(
      transcript([
        ['S1', 'Hello.'],
        ['S2', 'Okay, thanks.'],
      ])
    )
    expect(out.status).toBe('insufficient_content')
    expect(out.warnings).toHaveLength(1)
    expect(out.sections).toEqual({
      subjective: { items: [] },
      objective: { items: [] },
      assessment: { items: [] },
      plan: { items: [] },
    })
  })

  it('reports insufficient content for empty or missing utterances', async () => {
    for (const t of [
      transcript([]),
      transcript([
        ['S1', ''],
        ['S2', '   '],
      ]),
    ]) {
      const out = await write(t)
      expect(out.status).toBe('insufficient_content')
      expect(allItems(out)).toEqual([])
      expect(out.warnings).toHaveLength(1)
    }
  })

  it('reports insufficient content for a clinical sentence that is too short to be a note', async () => {
    const out = await write(transcript([['patient', 'I have had chest pain since yesterday.']]))
    expect(out.status).toBe('insufficient_content')
    expect(out.warnings).toEqual(['too little speech to write a note (7 words)'])
    expect(allItems(out)).toEqual([])
  })

  it('reports insufficient content when long speech has no clinical signal', async () => {
    const out = await write(
      transcript([
        ['S1', 'Hello there, nice to see you again. How was the drive over here?'],
        ['S2', 'Not bad at all, the traffic was light and the weather was lovely.'],
        ['S1', 'Good, good. Okay. Thank you.'],
      ])
    )
    expect(out.status).toBe('insufficient_content')
    expect(out.warnings[0]).toMatch(/clinical/)
  })

  it('drops small talk and questions but keeps the clinical sentences around them', async () => {
    const out = await write(transcript(CONSULTATION))
    const all = allItems(out).map((i) => i.text)
    for (const chatter of [
      'Good morning',
      'weather',
      'Thank you',
      'Thanks',
      'vitals',
      'What brings',
    ]) {
      expect(all.some((t) => t.includes(chatter))).toBe(false)
    }
    expect(all.some((t) => t.endsWith('?'))).toBe(false)
  })

  it('merges exact duplicate sentences into one item with both evidences', async () => {
    const out = await write(
      transcript([
        ['doctor', 'Your blood pressure is 150/95 today.'],
        ['patient', 'I have had chest pain since yesterday.'],
        ['doctor', 'Your  blood pressure is 150/95 today'],
        ['doctor', 'We will start amlodipine 5 mg once daily.'],
      ])
    )
    expect(out.sections.objective!.items).toEqual([
      {
        text: 'Your blood pressure is 150/95 today.',
        evidence: [
          { utterance_id: 'u1', start: 0, end: 8.5 },
          { utterance_id: 'u3', start: 20, end: 28.5 },
        ],
      },
    ])
  })

  it('warns about each empty section', async () => {
    const out = await write(
      transcript([
        ['patient', 'I have had a sore throat and a cough for five days now.'],
        ['doctor', 'Take paracetamol 1 g every six hours as needed and rest.'],
      ])
    )
    expect(out.status).toBe('ok')
    expect(texts(out.sections)).toEqual({
      subjective: ['I have had a sore throat and a cough for five days now.'],
      objective: [],
      assessment: [],
      plan: ['Take paracetamol 1 g every six hours as needed and rest.'],
    })
    expect(out.warnings).toEqual([
      'no objective findings were stated',
      'no assessment or diagnosis was stated',
    ])
  })

  it('files medicines the patient already takes under subjective, new ones under plan', async () => {
    const out = await write(
      transcript([
        ['patient', 'I take metformin 500 mg twice daily for my diabetes.'],
        ['doctor', 'Continue the metformin and take atorvastatin 20 mg once daily at bedtime.'],
      ])
    )
    expect(texts(out.sections).subjective).toEqual([
      'I take metformin 500 mg twice daily for my diabetes.',
    ])
    expect(texts(out.sections).plan).toEqual([
      'Continue the metformin and take atorvastatin 20 mg once daily at bedtime.',
    ])
  })

  it('caps soap-brief at three items per section, strongest first, in spoken order', async () => {
    const lines: Line[] = [
      ...CONSULTATION,
      ['doctor', 'Avoid screens.'],
      ['doctor', 'I will refer you to neurology and we will schedule a follow-up appointment.'],
    ]
    const full = await write(transcript(lines), 'soap')
    const brief = await write(transcript(lines), 'soap-brief')
    expect(full.sections.plan!.items.map((i) => i.text)).toContain('Avoid screens.')
    for (const name of SECTION_NAMES) {
      const briefTexts = brief.sections[name]!.items.map((i) => i.text)
      const fullTexts = full.sections[name]!.items.map((i) => i.text)
      expect(briefTexts.length).toBe(Math.min(3, fullTexts.length))
      expect(fullTexts.filter((t) => briefTexts.includes(t))).toEqual(briefTexts) // spoken order
    }
    expect(brief.sections.plan!.items.map((i) => i.text)).toEqual([
      'I will prescribe naproxen 500 mg, take one tablet twice daily with food.',
      'Please follow up in two weeks, and come back sooner if the headache gets worse.',
      'I will refer you to neurology and we will schedule a follow-up appointment.',
    ])
    const followUp = await write(transcript(lines), 'follow-up')
    expect(followUp).toEqual(full)
  })

  it('splits sentences without breaking decimals or titles', async () => {
    const out = await write(
      transcript([
        ['doctor', 'Dr. Patel saw you last week. Your temperature is 38.2 degrees today.'],
        ['patient', 'Um, I have been coughing since Monday and my chest hurts.'],
      ])
    )
    expect(texts(out.sections).objective).toEqual(['Your temperature is 38.2 degrees today.'])
    expect(texts(out.sections).subjective).toEqual([
      'I have been coughing since Monday and my chest hurts.',
    ])
  })

  it('warns that only English keywords are understood for other languages', async () => {
    const english = await write(transcript(CONSULTATION))
    const german = await write(transcript(CONSULTATION, 'de'), 'soap', 'de')
    expect(german.warnings).toContainEqual(expect.stringMatching(/only understands English/))
    expect(german.sections).toEqual(english.sections)
    const auto = await write(transcript(CONSULTATION, 'fr'), 'soap', 'auto')
    expect(auto.warnings).toContainEqual(expect.stringMatching(/only understands English/))
    const enGb = await write(transcript(CONSULTATION, 'en-GB'), 'soap', 'en-GB')
    expect(enGb.warnings).toEqual([])
    const spanish = await write(
      transcript(
        [
          ['doctor', 'Buenos días, ¿qué le trae por aquí hoy?'],
          ['patient', 'Tengo dolor de cabeza desde hace tres días y náuseas por la mañana.'],
        ],
        'es'
      )
    )
    expect(spanish.status).toBe('insufficient_content')
    expect(spanish.warnings).toContainEqual(expect.stringMatching(/only understands English/))
  })

  it('stops when the signal is already aborted', async () => {
    const controller = new AbortController()
    controller.abort(new Error('cancelled'))
    await expect(
      createExtractiveWriter().write(
        {
          transcript: transcript(CONSULTATION),
          template: BUILTIN_TEMPLATES['soap'],
          language: 'en',
        },
        controller.signal
      )
    ).rejects.toThrow('cancelled')
  })
})
