// The signed-in user's role, asked of the server (GET /api/me) once per session: it decides
// only whether the nav shows Status. The API checks the role itself on every admin request.
import { useEffect, useState } from 'react'
import { getMe } from './api.ts'
import type { Me } from './types.ts'
import { useAuth } from '../services.ts'

export function useRole(): Me['role'] | null {
  const state = useAuth()
  const email = state.kind === 'signed-in' ? state.session.email : null
  const [role, setRole] = useState<Me['role'] | null>(null)
  useEffect(() => {
    setRole(null)
    if (!email) return
    let stale = false
    getMe().then(
      (me) => !stale && setRole(me.role),
      // Offline or an older server: no admin screens, nothing else changes.
      () => undefined
    )
    return () => {
      stale = true
    }
  }, [email])
  return role
}
