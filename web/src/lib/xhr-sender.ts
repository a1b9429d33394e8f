// The queue's sender in the browser: XMLHttpRequest, because fetch reports no upload progress.
import type { Sender } from './queue.ts'

export const xhrSender: Sender = ({ recording, audio, idempotencyKey, token, onProgress }) =>
  new Promise((resolve) => {
    const form = new FormData()
    // Fields first: the API reads them alongside the streamed file.
    form.append('template', recording.template)
    form.append('language', recording.language)
    if (recording.patientRef) form.append('patient_ref', recording.patientRef)
    form.append('audio', new File([audio], `${recording.id}.wav`, { type: 'audio/wav' }))

    const xhr = new XMLHttpRequest()
    xhr.open('POST', '/api/recordings')
    xhr.setRequestHeader('authorization', `Bearer ${token}`)
    xhr.setRequestHeader('idempotency-key', idempotencyKey)
    xhr.setRequestHeader('accept', 'application/json')
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total)
    }
    xhr.onload = () => {
      let body: unknown = null
      try {
        body = JSON.parse(xhr.responseText)
      } catch {
        body = xhr.responseText
      }
      const retryAfter = Number(xhr.getResponseHeader('retry-after'))
      resolve({
        status: xhr.status,
        body,
        ...(retryAfter > 0 ? { retryAfterMs: Math.min(retryAfter, 600) * 1000 } : {}),
      })
    }
    xhr.onerror = () => resolve({ status: 0, body: null })
    xhr.ontimeout = () => resolve({ status: 0, body: null })
    xhr.onabort = () => resolve({ status: 0, body: null })
    xhr.send(form)
  })
