/** The last quarter that has ended on `d` (China's calendar day as the browser sees it): the one a unit files now. */
export function lastQuarter(d = new Date()): string {
  const q = Math.floor(d.getMonth() / 3)
  return q === 0 ? `${d.getFullYear() - 1}Q4` : `${d.getFullYear()}Q${q}`
}

/** Today in China (YYYY-MM-DD), whatever the browser's time zone: the day the server counts in. */
export function chinaToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
}

/**
 * A server time stamp (UTC without a zone, `2026-12-07T06:42:57.574545964`) as Beijing's wall
 * clock, `2026-12-07 14:42`: the hour county staff read, whatever the browser's zone. What is
 * not such a stamp comes back as it was.
 */
export function chinaTime(naiveUtc: string | null | undefined): string {
  if (!naiveUtc) return ''
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(\.\d{1,3})?)?\d*(Z|[+-]\d{2}:?\d{2})?$/.exec(naiveUtc)
  if (!m) return naiveUtc
  const d = new Date(`${m[1]}T${m[2]}${m[3] ?? ''}${m[5] ?? 'Z'}`)
  if (Number.isNaN(d.getTime())) return naiveUtc
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(d)
      .map((x) => [x.type, x.value]),
  )
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`
}
