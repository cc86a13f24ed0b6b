// The service centres the caller sees, and which of them the caller directs. /me names no org
// unit, so the director is read from each centre's staff list (GET /service-centres/{id}/staff,
// `director`: branch staff bound to the centre's parent branch). The server still decides every
// step; this only keeps the buttons to what the caller can do.
import { computed, ref } from 'vue'
import { api, call, type Schemas } from '../api/client'
import { session } from './session'
import { useUnits } from './units'

type Unit = Schemas['OrgUnitView']

/** The org units an activity's audience may name: the centre's region (its branch's subtree). */
export function regionUnits(units: Unit[], centre: Unit | undefined): Unit[] {
  const branch = centre?.parent_id
  if (!branch) return []
  return units.filter((u) => (u.id === branch || u.ancestor_ids.includes(branch)) && u.kind !== 'service_centre' && u.kind !== 'market')
}

export function useCentres() {
  const { units, grids, markets, load: loadUnits } = useUnits()
  const centres = computed(() => units.value.filter((u) => u.kind === 'service_centre' && u.active))
  /** Ids of the centres the signed-in user directs. */
  const directed = ref<string[]>([])
  const directs = (centreId: string | undefined) => !!centreId && directed.value.includes(centreId)

  /** The units and which centres the caller directs; with `also`, the grids and markets an
   * audience may name, read only for a director (no one else plans). */
  async function load(also: { grids?: boolean; markets?: boolean } = {}) {
    await loadUnits()
    const me = session.me.value
    if (me?.role !== 'branch_staff') {
      directed.value = []
      return
    }
    const mine: string[] = []
    for (const c of centres.value) {
      const staff = await call(api.GET('/service-centres/{id}/staff', { params: { path: { id: c.id } } })).catch(() => ({ items: [] }))
      if (staff.items.some((s) => s.director && s.user_id === me.user_id)) mine.push(c.id)
    }
    directed.value = mine
    if (mine.length) await Promise.all([also.grids ? loadUnitsPart('grids') : undefined, also.markets ? loadUnitsPart('markets') : undefined])
  }

  async function loadUnitsPart(part: 'grids' | 'markets') {
    try {
      if (part === 'grids') {
        const g = await call(api.GET('/grids', { params: { query: { limit: 200 } } }))
        grids.value = g.items.map((x) => ({ id: x.id, name: x.name }))
      } else {
        const m = await call(api.GET('/markets', { params: { query: { limit: 200 } } }))
        markets.value = m.items.map((x) => ({ id: x.id, name: x.name }))
      }
    } catch {
      /* the audience then names no grid or market */
    }
  }

  return { units, grids, markets, centres, directed, directs, load }
}
