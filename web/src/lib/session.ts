// The signed-in session. The bearer token lives in sessionStorage only (gone with the tab,
// never a cookie), as the console keeps it in memory.
import { ref, computed } from 'vue'
import type { components } from '../api/schema'

type Me = components['schemas']['Me']
const KEY = 'shuanglian.token'

const token = ref<string | null>(sessionStorage.getItem(KEY))
const me = ref<Me | null>(null)
const expired = ref(false)

export const session = {
  token,
  me,
  expired,
  role: computed(() => me.value?.role ?? null),
  signIn(t: string) {
    token.value = t
    expired.value = false
    sessionStorage.setItem(KEY, t)
  },
  clear() {
    token.value = null
    me.value = null
    sessionStorage.removeItem(KEY)
  },
  expire() {
    this.clear()
    expired.value = true
  },
}
