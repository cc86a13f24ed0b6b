// Notifications (crates/notify) on the client: the unread count the menu shows, kept fresh by a
// modest poll (the server sends no event for a new notice), and the "my channels" dialog that
// the header and the inbox both open.
import { onBeforeUnmount, ref, watch } from 'vue'
import { api, type Schemas } from '../api/client'
import { session } from './session'
import { allowed } from './menu'

/** My unread notices (0 for a role without an inbox). */
export const unread = ref(0)
/** Whether the "我的通知方式" dialog is open. */
export const prefsOpen = ref(false)

/** Reads my unread count; a failure keeps the last count (the badge is not worth an alert). */
export async function refreshUnread(): Promise<void> {
  if (!allowed(session.role.value, 'inbox')) {
    unread.value = 0
    return
  }
  try {
    const r = await api.GET('/me/inbox', { params: { query: { unread: true, limit: 1 } } })
    if (r.data) unread.value = r.data.unread
  } catch {
    /* offline: the next poll tries again */
  }
}

/** Called once by the shell: reads the count on sign-in, then every `ms` while signed in. */
export function useUnreadPoll(ms = 60_000) {
  let timer: ReturnType<typeof setInterval> | undefined
  const stop = watch(
    () => (session.me.value ? session.role.value : null),
    (role) => {
      clearInterval(timer)
      timer = undefined
      unread.value = 0
      if (role && allowed(role, 'inbox')) {
        void refreshUnread()
        timer = setInterval(() => void refreshUnread(), ms)
      }
    },
    { immediate: true },
  )
  onBeforeUnmount(() => {
    stop()
    clearInterval(timer)
  })
}

type DeliveryStatus = Schemas['DeliveryStatus']
const STATUSES: DeliveryStatus[] = ['pending', 'sent', 'dead']

/**
 * The deliveries list's status filter as the URL keeps it (`''`: the default, the dead letters;
 * `all`: every status) and as the API takes it.
 */
export function deliveryStatusQuery(f: string): DeliveryStatus | undefined {
  if (f === 'all') return undefined
  return STATUSES.includes(f as DeliveryStatus) ? (f as DeliveryStatus) : 'dead'
}

/** The badge's text: a large count does not widen the menu. */
export function badgeText(n: number): string {
  return n > 99 ? '99+' : String(n)
}
