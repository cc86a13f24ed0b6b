import { computed, ref } from 'vue'
import { ApiError, type Problem } from '../api/client'
import { lang } from '../i18n'

/** The text of a problem in the current language. */
export function problemText(p: Problem): string {
  return (lang() === 'en' ? p.detail_en : p.detail) || p.title || p.code
}

/**
 * A form's problem: the general message, and each field's message keyed by the field the
 * server names (`reason`, `items.<id>`, `rows.12.phone`), so it shows next to that field.
 */
export function useProblem() {
  const problem = ref<Problem | null>(null)
  const fields = computed<Record<string, string>>(() => {
    const out: Record<string, string> = {}
    for (const e of problem.value?.errors ?? []) {
      const m = lang() === 'en' ? e.message_en : e.message
      out[e.field] = out[e.field] ? `${out[e.field]}；${m}` : m
    }
    return out
  })
  const message = computed(() => (problem.value ? problemText(problem.value) : ''))
  /** Runs `f`; an API problem is kept for the form, anything else is rethrown. */
  async function run<T>(f: () => Promise<T>): Promise<T | undefined> {
    problem.value = null
    try {
      return await f()
    } catch (e) {
      if (e instanceof ApiError) {
        problem.value = e.problem
        return undefined
      }
      throw e
    }
  }
  return { problem, fields, message, run }
}
