import type { Config } from '../config.ts'
import type { Principal } from '../auth/tokens.ts'
import type { Role } from '../store/users.ts'

/**
 * Who may create and edit clinic-wide templates: an admin (users.role, read from the row on each
 * request, so a revocation applies at once), or an address in CLINIC_TEMPLATE_EDITORS (a clinic
 * that lets a lead clinician shape templates without the Status screen). Every route asks here.
 */
export function mayManageClinicTemplates(
  config: Config,
  principal: Principal,
  role: Role | undefined
): boolean {
  return role === 'admin' || config.CLINIC_TEMPLATE_EDITORS.includes(principal.email.toLowerCase())
}
