import type { SectionName } from '../../contract/names.ts'

// Keyword data for the extractive writer (English only). A cue is either a phrase or a
// RegExp. Phrases are matched case-insensitively on whole words; a trailing `*` matches
// any word ending ("prescrib*" matches "prescribe", "prescribed", "prescribing").
// Every cue found in a sentence adds its group's weight once to that section's score.
export type Cue = string | RegExp
export type CueGroup = { readonly weight: number; readonly cues: readonly Cue[] }

// A sentence needs at least this score in its best section, or it is dropped as small talk.
export const MIN_SCORE = 2
// Below this many words in the whole transcript there is nothing to write a note from.
export const MIN_WORDS = 12
// Equal scores go to the earlier section here: the rarer, more specific clinician cues win
// over patient talk, which is everywhere in a consultation.
export const TIE_BREAK: readonly SectionName[] = ['objective', 'assessment', 'plan', 'subjective']

// Hesitation noises dropped from the start of a sentence (content words are never dropped).
export const LEADING_FILLER = /^(?:(?:um+|uh+|erm?|hmm+|mm+)\b[,.]?\s*)+/i
// Words that end with a full stop without ending the sentence ("Dr. Patel").
export const ABBREVIATIONS: readonly string[] = [
  'dr',
  'mr',
  'mrs',
  'ms',
  'prof',
  'st',
  'vs',
  'approx',
  'e.g',
  'i.e',
]

const COUNT = String.raw`(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|forty|a few|several|a couple of|\d+)`
// "for about a month", "for nearly two weeks": a duration as patients give it.
const ROUGHLY = String.raw`(?:(?:about|around|nearly|almost|over|roughly|more than) )?`
const UNIT = String.raw`(?:minute|hour|day|night|week|month|year)s?`

// prettier-ignore
export const LEXICON: Readonly<Record<SectionName, readonly CueGroup[]>> = {
  subjective: [
    // Decisive: a patient naming their own medicines is history, whatever doses follow.
    {
      weight: 10,
      cues: ['i take', 'i usually take', "i'm taking", 'i am taking', "i've been taking", 'i have been taking',
        "i'm on", 'i am on', "i've been on", 'i have been on', 'i was prescribed', 'i was taking'],
    },
    {
      weight: 3,
      cues: ['history of', 'i have had', "i've had", 'i have been', "i've been", 'been having', 'been taking',
        'i started', 'it started', 'allergic', 'allergy', 'allergies', 'complain*', 'family history',
        'smoke', 'smoker', 'smoking', 'my mother', 'my father',
        // A parent or carer giving the history, and relatives' illnesses (family history).
        'he has been', 'she has been', 'he started', 'she started', 'he keeps', 'she keeps', 'he had', 'she had',
        'i had', 'my mum', 'my dad', 'his mum', 'his dad', 'her mum', 'her dad', 'his mother', 'her mother',
        'his father', 'her father', 'my brother', 'my sister', 'i have finished', "i've finished", 'i finished',
        'i stopped', 'i ran out',
        // How a symptom behaves over time.
        'goes away', 'comes on', 'comes and goes', 'on and off', 'brought on by', 'triggered by']
    },
    {
      weight: 2,
      cues: ['pain', 'painful', 'ache', 'aches', 'aching', 'headache*', 'migraines', 'hurt*', 'sore', 'nause*',
        'vomit*', 'dizz*', 'tired', 'fatigue*', 'cough*', 'fever*', 'chills', 'short of breath',
        'shortness of breath', 'breathless', 'rash', 'itch*', 'swelling', 'swollen', 'numb*', 'tingl*',
        'diarrh*', 'constipat*', 'bleeding', "can't sleep", 'insomnia', 'anxious', 'anxiety', 'depressed',
        'stress*', 'feel*', 'felt', 'throbbing', 'burning', 'palpitation*', 'wheez*', 'symptom*', 'taking',
        'taken', 'tried', 'over the counter', 'drink*', 'alcohol', 'began', 'sleep*', 'fell', 'fall', 'tripped',
        'injur*', 'harm*', 'suicid*', 'racing', 'pounding', 'pounds', 'i get', 'i see', 'i notice*', 'when i',
        new RegExp(String.raw`\bfor (?:the (?:past|last) )?${ROUGHLY}${COUNT} ${UNIT}\b`)],
    },
    {
      weight: 1,
      cues: ['since', 'ago', 'last week', 'last night', 'yesterday', 'usually', 'every day', 'at night',
        'in the morning', 'worse', 'better', 'my', "i'm", 'i am', 'overnight', 'no'],
    },
  ],
  objective: [
    {
      weight: 3,
      cues: ['blood pressure', 'heart rate', 'pulse', 'temperature', 'oxygen saturation', 'saturation*',
        'sats', 'respiratory rate', 'weight', 'weighs', 'bmi', 'on examination', 'on exam',
        'lungs are clear', 'chest is clear', 'clear to auscultation', 'auscultat*', 'tender*', 'non-tender',
        'palpat*', 'murmur', 'reflexes', 'pupils', 'range of motion', 'came back', 'hemoglobin',
        'haemoglobin', 'white count', 'glucose', 'cholesterol', 'a1c', 'creatinine', 'bpm', 'mmhg',
        // Examination signs and tests a clinician reports, in the words they are usually said.
        'i can hear', 'i can feel', 'i can see', 'crackles', 'crepitus', 'effusion', 'bulging', 'eardrum*',
        'tympanic', 'capillary refill', 'mucous membranes', 'straight leg raise', 'reduced sensation',
        'normal sensation', 'sensation to', 'fundi', 'guarding', 'dipstick', 'swab', 'potassium', 'sodium',
        'clean and dry', 'discharge', 'bruising', 'you appear', 'he appears', 'she appears', 'looks well',
        'alert', 'orientated', 'oriented', 'score',
        /\b\d{2,3}\s?(?:\/|over)\s?\d{2,3}\b/],
    },
    {
      weight: 2,
      cues: ['results', 'blood test*', 'lab', 'labs', 'x-ray', 'ct', 'mri', 'ultrasound', 'ecg', 'ekg', 'showed', 'shows',
        'unremarkable', 'erythema', 'inflamed', 'degrees', 'kg', 'kilos', 'abdomen is soft', 'patches',
        'lesion*', 'redness', 'scratch marks', 'flexion', 'extension', 'power', 'reflex', 'on both sides',
        /\b\d+(?:\.\d+)?\s?(?:%|percent)/],
    },
    {
      weight: 1,
      cues: ['vitals', 'examin*', 'normal', 'looks', 'appears', 'red', 'soft', 'throat', 'ears', 'chest', 'abdomen',
        'there is', 'there are', 'reduced', 'negative', 'positive', 'wound', 'moist',
        'lungs', 'heart', /\b\d{2,3}\.\d\b/],
    },
  ],
  assessment: [
    {
      weight: 3,
      cues: ['likely', 'most likely', 'consistent with', 'i think this is', "i think it's", 'i think it is',
        'diagnos*', 'suspect', 'probably', 'rule out', 'impression', 'looks like', 'sounds like',
        'suggestive of', 'in keeping with', 'differential'],
    },
    {
      weight: 2,
      cues: ['i think', 'possibl*', 'could be', 'might be', 'due to', 'caused by', 'related to',
        // How a known condition is doing.
        'improving', 'healing well', 'well controlled', 'not controlled', 'under control', 'resolving',
        'resolved'],
    },
    {
      weight: 1,
      cues: ['you have', 'infection', 'viral', 'bacterial', 'migraine', 'hypertension', 'diabetes', 'asthma',
        'pneumonia', 'strain', 'sprain', 'syndrome', 'disease', 'disorder', 'failure', 'fibrillation', 'angina',
        'copd', 'eczema', 'exacerbation', 'flare', 'episode', 'hypotension', 'this is', 'so you have',
        /\b[a-z]+(?:itis|osis|opathy|aemia|emia)\b/],
    },
  ],
  plan: [
    {
      weight: 3,
      cues: ['start', 'starting', 'prescrib*', 'order', 'refer*', 'follow up', 'follow-up', 'come back',
        'schedule*', 'appointment', 'recheck', 'twice daily', 'once daily', 'twice a day', 'once a day',
        'three times', 'as needed', 'at bedtime', 'the plan', 'lose weight', 'lose some weight', 'physiotherapy', 'physical therapy',
        'arrange*', 'bring him back', 'bring her back', 'bring them back', 'call an ambulance', 'call us',
        'emergency department', 'if you develop', 'seek help',
        new RegExp(String.raw`\bevery ${COUNT} hours?\b`)],
    },
    {
      weight: 2,
      cues: ['tablet*', 'capsule*', 'dose', 'increase', 'decrease', 'stop', 'continue', 'avoid', 'rest',
        'fluids', 'advise*', 'recommend*', 'i want you to', "i'd like to", 'i would like to', "i'll",
        "we'll", 'i will', 'we will', "let's", 'return', 'book', 'daily', 'refill', 'call you',
        /\b\d+(?:\.\d+)?\s?(?:mg|mcg|micrograms?|milligrams?|ml|units?)\b/,
        new RegExp(String.raw`\bin ${COUNT} ${UNIT}\b`)],
    },
    { weight: 1, cues: ['take', 'should', 'need to', 'going to', 'try to', 'check', 'next week', 'emergency', 'if'] },
    // An instruction: a sentence that opens with the verb ("Take…", "Use…", "Bring him back…").
    {
      weight: 4,
      cues: [/^(?:please |and )?(?:take|use|apply|give|avoid|keep|drink|continue|start|stop|weigh|bring|come|call|book|try|cut|go)\b/],
    },
  ],
}
