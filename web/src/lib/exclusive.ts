// One request at a time on a versioned record: each change moves the record's version, which
// the next request carries (If-Match), so a click while one is under way is dropped.
import { ref } from 'vue'

export function useExclusive() {
  const busy = ref(false)
  async function exclusive<T>(f: () => Promise<T>): Promise<T | undefined> {
    if (busy.value) return undefined
    busy.value = true
    try {
      return await f()
    } finally {
      busy.value = false
    }
  }
  return { busy, exclusive }
}
