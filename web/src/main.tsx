import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App.tsx'
import { loadPublicConfig } from './lib/public-config.ts'
import './styles.css'

async function start() {
  // Which sign-in to show comes from the server; Supabase's client is loaded only in that mode,
  // so a local deployment's bundle does not carry it.
  const config = await loadPublicConfig()
  if (config.auth.mode === 'supabase') {
    const { startSupabaseAuth } = await import('./lib/supabase-auth.ts')
    startSupabaseAuth(config.auth)
  }
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>
  )
}
void start()

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch(() => {
      // The app works without it; it only loses offline start.
    })
  })
}
