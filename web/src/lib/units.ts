// The org units, grids and markets the caller sees, for the filters' pickers (one read per
// screen; the lists are short enough to page through once, 200 at a time).
import { ref } from 'vue'
import { api, call, type Schemas } from '../api/client'

export function useUnits() {
  const units = ref<Schemas['OrgUnitView'][]>([])
  const grids = ref<{ id: string; name: string }[]>([])
  const markets = ref<{ id: string; name: string }[]>([])
  async function load() {
    let cursor: string | undefined
    const all: Schemas['OrgUnitView'][] = []
    for (let i = 0; i < 10; i++) {
      const p = await call(api.GET('/org-units', { params: { query: { limit: 200, cursor } } }))
      all.push(...p.items)
      if (!p.next_cursor) break
      cursor = p.next_cursor
    }
    units.value = all
    const g = await call(api.GET('/grids', { params: { query: { limit: 200 } } }))
    grids.value = g.items.map((x: any) => ({ id: x.id, name: x.name }))
    const m = await call(api.GET('/markets', { params: { query: { limit: 200 } } }))
    markets.value = m.items.map((x) => ({ id: x.id, name: x.name }))
  }
  return { units, grids, markets, load }
}
