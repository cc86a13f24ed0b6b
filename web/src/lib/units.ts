// The org units, grids and markets the caller sees, for the filters' pickers (one read per
// screen; the lists are short enough to page through once, 200 at a time). A screen asks for
// the grids and markets only when it filters by them.
import { ref } from 'vue'
import { api, call, type Schemas } from '../api/client'

export function useUnits() {
  const units = ref<Schemas['OrgUnitView'][]>([])
  const grids = ref<{ id: string; name: string }[]>([])
  const markets = ref<{ id: string; name: string }[]>([])
  async function load(also: { grids?: boolean; markets?: boolean } = {}) {
    let cursor: string | undefined
    const all: Schemas['OrgUnitView'][] = []
    for (let i = 0; i < 10; i++) {
      const p = await call(api.GET('/org-units', { params: { query: { limit: 200, cursor } } }))
      all.push(...p.items)
      if (!p.next_cursor) break
      cursor = p.next_cursor
    }
    units.value = all
    if (also.grids) {
      const g = await call(api.GET('/grids', { params: { query: { limit: 200 } } }))
      grids.value = g.items.map((x: any) => ({ id: x.id, name: x.name }))
    }
    if (also.markets) {
      const m = await call(api.GET('/markets', { params: { query: { limit: 200 } } }))
      markets.value = m.items.map((x) => ({ id: x.id, name: x.name }))
    }
  }
  return { units, grids, markets, load }
}
