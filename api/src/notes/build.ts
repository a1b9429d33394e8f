import type { Transcript, WriterOutput, NoteWriter } from '../providers/types.ts'
import type { SoapNote, Template } from './soap.ts'
import { SOAP_SCHEMA_VERSION, SoapNoteSchema } from './soap.ts'

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
    sections: output.sections,
    transcript: { utterances: transcript.utterances },
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
