// A tiny router over the History API (the edge answers every path with index.html).
import { useSyncExternalStore } from 'react'

const listeners = new Set<() => void>()
const notify = () => listeners.forEach((l) => l())
if (typeof window !== 'undefined') window.addEventListener('popstate', notify)

export function navigate(path: string) {
  if (path === location.pathname) return
  history.pushState(null, '', path)
  notify()
  // Move focus to the new screen's heading for screen-reader and keyboard users.
  queueMicrotask(() => document.querySelector<HTMLElement>('main h1')?.focus())
}

export function usePath(): string {
  return useSyncExternalStore(
    (fn) => {
      listeners.add(fn)
      return () => listeners.delete(fn)
    },
    () => location.pathname
  )
}

export type Route =
  | { name: 'record' }
  | { name: 'recordings' }
  | { name: 'templates' }
  | { name: 'note'; id: string }
  | { name: 'status' }
  | { name: 'not-found' }

export function match(path: string): Route {
  if (path === '/' || path === '/record') return { name: 'record' }
  if (path === '/notes' || path === '/recordings') return { name: 'recordings' }
  if (path === '/templates') return { name: 'templates' }
  if (path === '/status') return { name: 'status' }
  const m = /^\/notes\/([0-9a-f-]{36})$/i.exec(path)
  if (m?.[1]) return { name: 'note', id: m[1] }
  return { name: 'not-found' }
}
