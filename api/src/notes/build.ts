import type { Transcript, WriterOutput, NoteWriter } from '../providers/types.ts'
import { SOAP_SCHEMA_VERSION } from '../contract/names.ts'
import { SoapNoteSchema } from '../contract/soap-note.ts'
import type { Sections, SoapNote } from '../contract/soap-note.ts'
import type { NoteTemplate } from '../templates/builtin.ts'

// soap.v1 is a strict schema (it is what clients are promised); a transcript kept from an
// earlier run or a writer's answer may carry more, which the note leaves out, as it always has.
// Its sections are the template's, in the template's order, and nothing else.
const onlyNoteFields = (sections: Sections, keys: readonly string[]): Sections =>
  Object.fromEntries(
    keys.map((name) => [
      name,
      {
        items: (sections[name]?.items ?? []).map(({ text, evidence }) => ({
          text,
          evidence: evidence.map(({ utterance_id, start, end }) => ({ utterance_id, start, end })),
        })),
      },
    ])
  )

/** Assembles the note from a transcript, the template version and the writer's sections. */
export function buildNote(args: {
  transcript: Transcript
  output: WriterOutput
  writer: Pick<NoteWriter, 'name' | 'model' | 'promptVersion'>
  template: NoteTemplate
  language: string
  sttLabel?: string
  createdAt: Date
}): SoapNote {
  const { transcript, output, writer, template } = args
  const warnings = [...output.warnings]
  if (args.sttLabel) warnings.unshift(args.sttLabel)
  const keys = template.sections.map((s) => s.key)
  const speakers = transcript.speakers ?? []
  return SoapNoteSchema.parse({
    schema_version: SOAP_SCHEMA_VERSION,
    status: output.status,
    language: args.language,
    template: template.slug ?? template.name,
    template_version: { id: template.id, version: template.version },
    layout: template.sections.map(({ key, title }) => ({ key, title })),
    sections: onlyNoteFields(output.sections, keys),
    transcript: {
      utterances: transcript.utterances.map(({ id, speaker, start, end, text }) => ({
        id,
        speaker,
        start,
        end,
        text,
      })),
      ...(speakers.length > 0
        ? { speakers: speakers.map(({ id, role, source }) => ({ id, role, source })) }
        : {}),
    },
    provenance: {
      stt_provider: transcript.provider,
      stt_model: transcript.model,
      writer: writer.name,
      writer_model: writer.model,
      prompt_version: output.promptVersion ?? writer.promptVersion,
      created_at: args.createdAt.toISOString(),
    },
    warnings,
  })
}
