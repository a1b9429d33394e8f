import { NoteView } from './NoteView.tsx'

export default function NoteScreen({ id }: { id: string }) {
  return <NoteView id={id} />
}
