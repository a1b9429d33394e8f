/** The chaos suite's scratch stack: the stack suite's start plus compose/compose.chaos.yml. */
export const CHAOS_STACK = {
  prefix: 'scribe-chaos',
  label: 'chaos suite',
  env: { MAX_UPLOAD_MB: '5' },
  extraFiles: ['compose.chaos.yml'],
  extraServices: ['fake-stt'],
}
