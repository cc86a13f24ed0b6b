import { createI18n } from 'vue-i18n'
import zh from './zh-CN'
import en from './en'

const KEY = 'shuanglian.lang'
export type Lang = 'zh-CN' | 'en'
const saved = (localStorage.getItem(KEY) as Lang | null) ?? 'zh-CN'

export const i18n = createI18n({
  legacy: false,
  locale: saved,
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zh, en } as any,
})

export function setLang(l: Lang) {
  ;(i18n.global.locale as any).value = l
  localStorage.setItem(KEY, l)
  document.documentElement.lang = l
}

export function lang(): Lang {
  return (i18n.global.locale as any).value as Lang
}
