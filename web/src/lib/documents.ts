import { fetchBlob } from '../api/client'

/** Opens the server's print HTML (fetched with the token) in a new tab. */
export async function openPrint(path: string) {
  const blob = await fetchBlob(path)
  const url = URL.createObjectURL(new Blob([await blob.text()], { type: 'text/html' }))
  window.open(url, '_blank', 'noopener')
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

/** Saves a file the server writes (xlsx) under the given name. */
export async function download(path: string, name: string) {
  const blob = await fetchBlob(path)
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
