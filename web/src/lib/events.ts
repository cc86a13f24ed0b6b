// Live updates: the /events stream (server-sent events with the bearer token, which
// EventSource cannot send, hence fetch + eventsource-parser). Screens subscribe by kind.
import { onBeforeUnmount, watch } from 'vue'
import { createParser } from 'eventsource-parser'
import { session } from './session'

type Listener = (kind: string, entityId: string | null) => void
const listeners = new Set<Listener>()

export function onServerEvent(f: Listener) {
  listeners.add(f)
  onBeforeUnmount(() => listeners.delete(f))
}

/** Called once by the shell: keeps one stream open while signed in, reconnecting after drops. */
export function useEvents() {
  let ctl: AbortController | null = null
  async function run(token: string, signal: AbortSignal) {
    while (!signal.aborted && session.token.value === token) {
      try {
        const res = await fetch('/api/v1/events', { headers: { Authorization: `Bearer ${token}` }, signal })
        if (!res.ok || !res.body) {
          if (res.status === 401 || res.status === 403) return
          throw new Error(String(res.status))
        }
        const parser = createParser({
          onEvent(ev) {
            try {
              const d = JSON.parse(ev.data) as { kind: string; entity_id?: string | null }
              for (const l of listeners) l(d.kind, d.entity_id ?? null)
            } catch {
              /* a malformed event is ignored */
            }
          },
        })
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          parser.feed(value)
        }
      } catch {
        if (signal.aborted) return
      }
      await new Promise((r) => setTimeout(r, 3000))
    }
  }
  const stop = watch(
    () => (session.me.value ? session.token.value : null),
    (token) => {
      ctl?.abort()
      ctl = null
      if (token) {
        ctl = new AbortController()
        void run(token, ctl.signal)
      }
    },
    { immediate: true },
  )
  onBeforeUnmount(() => {
    stop()
    ctl?.abort()
  })
}
