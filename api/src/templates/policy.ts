import type { Config } from '../config.ts'
import type { Principal } from '../auth/tokens.ts'

/**
 * Who may create and edit clinic-wide templates. For now a setting, CLINIC_TEMPLATE_EDITORS (the
 * e-mail addresses of the clinic's administrators); when users carry a role (003_user_roles),
 * this is the one place to add `|| role === 'admin'`: every route asks here and nowhere else.
 */
export function mayManageClinicTemplates(config: Config, principal: Principal): boolean {
  return config.CLINIC_TEMPLATE_EDITORS.includes(principal.email.toLowerCase())
}
