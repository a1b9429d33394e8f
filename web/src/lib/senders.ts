// How the queue sends a recording: XMLHttpRequest in the page (fetch reports no upload
// progress), fetch in the service worker (which has no XMLHttpRequest). Same request either way.
import type { LocalRecording } from './db.ts'
import { storedFormat } from './recording-format.ts'
import type { SendResult, Sender } from './queue.ts'

function uploadForm(recording: LocalRecording, audio: Blob): FormData {
  const form = new FormData()
  // Fields first: the API reads them alongside the streamed file.
  form.append('template', recording.template)
  form.append('language', recording.language)
  if (recording.patientRef) form.append('patient_ref', recording.patientRef)
  const format = storedFormat(recording.mimeType)
  form.append(
    'audio',
    new File([audio], `${recording.id}.${format.ext}`, { type: format.mimeType.split(';')[0] })
  )
  return form
}

function result(status: number, text: string, retryAfter: string | null): SendResult {
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // Not JSON (a proxy's error page): kept as text for the message.
  }
  const seconds = Number(retryAfter)
  return { status, body, ...(seconds > 0 ? { retryAfterMs: Math.min(seconds, 600) * 1000 } : {}) }
}

export const xhrSender: Sender = ({ recording, audio, idempotencyKey, token, onProgress }) =>
  new Promise((resolve) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', '/api/recordings')
    xhr.setRequestHeader('authorization', `Bearer ${token}`)
    xhr.setRequestHeader('idempotency-key', idempotencyKey)
    xhr.setRequestHeader('accept', 'application/json')
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total)
    }
    xhr.onload = () =>
      resolve(result(xhr.status, xhr.responseText, xhr.getResponseHeader('retry-after')))
    xhr.onerror = () => resolve({ status: 0, body: null })
    xhr.ontimeout = () => resolve({ status: 0, body: null })
    xhr.onabort = () => resolve({ status: 0, body: null })
    xhr.send(uploadForm(recording, audio))
  })

export const fetchSender: Sender = async ({
  recording,
  audio,
  idempotencyKey,
  token,
  onProgress,
}) => {
  try {
    const res = await fetch('/api/recordings', {
      method: 'POST',
      body: uploadForm(recording, audio),
      headers: {
        authorization: `Bearer ${token}`,
        'idempotency-key': idempotencyKey,
        accept: 'application/json',
      },
    })
    onProgress(1)
    return result(res.status, await res.text(), res.headers.get('retry-after'))
  } catch {
    return { status: 0, body: null }
  }
}
