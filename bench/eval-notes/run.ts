#!/usr/bin/env -S npx tsx
// npm run eval:notes (make eval-notes): how well the note writers place the facts of the
// synthetic evaluation set (bench/eval-notes/consultations) into SOAP sections. A measuring
// tool: low scores are printed, not failed; only a crash (or bad arguments) exits non-zero.
import { z } from 'zod'
import { createExtractiveWriter } from '../../api/src/providers/writer/extractive.ts'
import {
  createOpenAiWriter,
  OPENAI_WRITER_DEFAULT_MODEL,
} from '../../api/src/providers/writer/openai.ts'
import { ProviderError } from '../../api/src/providers/types.ts'
import type { NoteWriter } from '../../api/src/providers/types.ts'
import { StopError } from '../../ops/lib/errors.ts'
import { parseArgs } from '../../ops/lib/args.ts'
import { isMainModule, runScript } from '../../ops/lib/main.ts'
import { loadConsultations, CONSULTATIONS_DIR } from './consultations.ts'
import { formatEvaluation } from './report.ts'
import { evaluateWriter } from './score.ts'

const USAGE = `
Usage: npm run eval:notes -- [--worst 5] [--dir <folder>]   (make eval-notes)

  Writes a note from every consultation of the evaluation set with the extractive writer and,
  when OPENAI_API_KEY or OPENAI_BASE_URL is set (OPENAI_MODEL optional), with the
  OpenAI-compatible writer too, then prints per writer: precision and recall of fact placement
  per SOAP section, evidence coverage, notes written from silent recordings, the overall share
  of facts in the right section, and the worst consultations with what went wrong.

  A fact is placed when an item of its section contains all its match terms (case-insensitive);
  misplaced when only another section's item does. Exits 0 whatever the scores.
`

const EnvSchema = z.object({
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url().optional(),
  OPENAI_MODEL: z.string().min(1).default(OPENAI_WRITER_DEFAULT_MODEL),
})

/** The writers to measure: always the extractive one, the model one when it is configured. */
export function writersFromEnv(env: NodeJS.ProcessEnv): NoteWriter[] {
  const parsed = EnvSchema.parse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''))
  )
  const writers = [createExtractiveWriter()]
  if (parsed.OPENAI_API_KEY || parsed.OPENAI_BASE_URL) {
    writers.push(
      createOpenAiWriter({
        ...(parsed.OPENAI_API_KEY ? { apiKey: parsed.OPENAI_API_KEY } : {}),
        ...(parsed.OPENAI_BASE_URL ? { baseUrl: parsed.OPENAI_BASE_URL } : {}),
        model: parsed.OPENAI_MODEL,
      })
    )
  }
  return writers
}

async function main() {
  const args = parseArgs({
    usage: USAGE,
    shape: {
      worst: z.coerce.number().int().min(0).default(5),
      dir: z.string().default(CONSULTATIONS_DIR),
    },
    string: ['dir'],
  })
  const set = loadConsultations(args.dir)
  const writers = writersFromEnv(process.env)
  console.log(
    `Evaluating ${writers.map((w) => w.name).join(' and ')} on ${set.length} synthetic consultations (${args.dir})`
  )
  for (const writer of writers) {
    const evaluation = await evaluateWriter(writer, set).catch((err: unknown) => {
      // A model that cannot be reached is the operator's to fix: one line, not a stack.
      if (!(err instanceof Error) || !(err.cause instanceof ProviderError)) throw err
      throw new StopError(err.message, 'check OPENAI_BASE_URL, OPENAI_API_KEY and OPENAI_MODEL')
    })
    console.log(`\n${formatEvaluation(evaluation, args.worst)}`)
  }
}

if (isMainModule(import.meta.filename)) await runScript(main)
