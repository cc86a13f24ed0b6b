/** The last quarter that has ended on `d` (China's calendar day as the browser sees it): the one a unit files now. */
export function lastQuarter(d = new Date()): string {
  const q = Math.floor(d.getMonth() / 3)
  return q === 0 ? `${d.getFullYear() - 1}Q4` : `${d.getFullYear()}Q${q}`
}

/** Today in China (YYYY-MM-DD), whatever the browser's time zone: the day the server counts in. */
export function chinaToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
}
