import type { Transcript, WriterOutput, NoteWriter } from '../providers/types.ts'
import type { Template } from '../contract/names.ts'
import { SECTION_NAMES, SOAP_SCHEMA_VERSION } from '../contract/names.ts'
import { SoapNoteSchema } from '../contract/soap-note.ts'
import type { Sections, SoapNote } from '../contract/soap-note.ts'

// soap.v1 is a strict schema (it is what clients are promised); a transcript kept from an
// earlier run or a writer's answer may carry more, which the note leaves out, as it always has.
const onlyNoteFields = (sections: Sections): Sections =>
  Object.fromEntries(
    SECTION_NAMES.map((name) => [
      name,
      {
        items: sections[name].items.map(({ text, evidence }) => ({
          text,
          evidence: evidence.map(({ utterance_id, start, end }) => ({ utterance_id, start, end })),
        })),
      },
    ])
  ) as Sections

/** Assembles the soap.v1 document from a transcript and the writer's sections. */
export function buildNote(args: {
  transcript: Transcript
  output: WriterOutput
  writer: Pick<NoteWriter, 'name' | 'model' | 'promptVersion'>
  template: Template
  language: string
  sttLabel?: string
  createdAt: Date
}): SoapNote {
  const { transcript, output, writer } = args
  const warnings = [...output.warnings]
  if (args.sttLabel) warnings.unshift(args.sttLabel)
  return SoapNoteSchema.parse({
    schema_version: SOAP_SCHEMA_VERSION,
    status: output.status,
    language: args.language,
    template: args.template,
    sections: onlyNoteFields(output.sections),
    transcript: {
      utterances: transcript.utterances.map(({ id, speaker, start, end, text }) => ({
        id,
        speaker,
        start,
        end,
        text,
      })),
    },
    provenance: {
      stt_provider: transcript.provider,
      stt_model: transcript.model,
      writer: writer.name,
      writer_model: writer.model,
      prompt_version: writer.promptVersion,
      created_at: args.createdAt.toISOString(),
    },
    warnings,
  })
}
