import { api } from '../api/client'
import { session } from './session'

/** Reads /me into the session; false when the token no longer works. */
export async function loadMe(): Promise<boolean> {
  try {
    const r = await api.GET('/me')
    if (!r.data) return false
    session.me.value = r.data
    return true
  } catch {
    return false
  }
}
