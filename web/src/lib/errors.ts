import { ref } from 'vue'
import { ApiError, type Problem } from '../api/client'

/** The last unexpected error, shown in the shell's alert until dismissed. */
export const lastError = ref<Problem | null>(null)

export function reportError(err: unknown) {
  if (err instanceof ApiError) {
    lastError.value = err.problem
  } else {
    console.error(err)
    lastError.value = {
      type: 'about:blank',
      title: 'client error',
      status: 0,
      code: 'client_error',
      detail: '页面出错，请刷新后重试。',
      detail_en: 'The page failed; reload and try again.',
      errors: [],
    } as unknown as Problem
  }
}
