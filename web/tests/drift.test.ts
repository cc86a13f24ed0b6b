// @vitest-environment node
// The API types are generated from docs/openapi.json; this fails when someone changes the API
// (and regenerates the document) without regenerating the client's types: `npm run gen`.
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import openapiTS, { astToString } from 'openapi-typescript'

describe('the typed API client', () => {
  it('matches docs/openapi.json', async () => {
    const spec = JSON.parse(readFileSync(resolve(__dirname, '../../docs/openapi.json'), 'utf8'))
    const fresh = astToString(await openapiTS(spec))
    const committed = readFileSync(resolve(__dirname, '../src/api/schema.d.ts'), 'utf8')
    // The CLI adds its banner; compare the declarations.
    const body = (s: string) => s.slice(s.indexOf('export'))
    expect(body(committed) === body(fresh), 'web/src/api/schema.d.ts is stale: run `npm run gen` in web/').toBe(true)
  }, 60_000)
})
