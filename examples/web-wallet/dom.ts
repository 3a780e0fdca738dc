/**
 * The little of the DOM the web wallet uses, typed here: a `/// <reference lib="dom" />` would
 * give the whole project (src and the Node tests too) the DOM's globals.
 */

/** An element, as far as this app touches one. */
export interface El {
  textContent: string | null
  innerHTML: string
  hidden: boolean
  value: string
  disabled: boolean
  className: string
  href: string
  download: string
  readonly dataset: Record<string, string | undefined>
  append(...nodes: (El | string)[]): void
  replaceChildren(...nodes: (El | string)[]): void
  addEventListener(type: string, listener: (event: { preventDefault(): void }) => void): void
  setAttribute(name: string, value: string): void
  querySelector(selector: string): El | null
  click(): void
  focus(): void
  showModal(): void
  close(): void
}

interface Dom {
  document: { getElementById(id: string): El | null; createElement(tag: string): El }
  navigator: { clipboard?: { writeText(text: string): Promise<void> } }
  location: { href: string }
}
const { document, navigator, location } = globalThis as unknown as Dom

/** `path` on this page's origin, as an absolute URL (what the chain adapters take). */
export const onThisOrigin = (path: string): string => new URL(path, location.href).href

/** The element with this id. @throws when index.html has none */
export function $(id: string): El {
  const el = document.getElementById(id)
  if (!el) throw new Error(`index.html has no #${id}`)
  return el
}

/** `h('li', { className: 'x' }, 'text', child)`: a new element. */
export function h(
  tag: string,
  props: Partial<Pick<El, 'className' | 'textContent' | 'hidden' | 'value'>> = {},
  ...children: (El | string)[]
): El {
  const el = document.createElement(tag)
  Object.assign(el, props)
  el.append(...children)
  return el
}

/** Shows the screen with this id (a `<section class="screen">`), hides the others. */
export function screen(id: string, screens: readonly string[]): void {
  for (const s of screens) $(s).hidden = s !== id
}

/** Copies text to the clipboard (false when the page may not). */
export async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard?.writeText(text)
    return navigator.clipboard !== undefined
  } catch {
    return false
  }
}

/** Offers `text` as a file download. */
export function download(name: string, text: string, type: string): void {
  const a = document.createElement('a')
  a.href = URL.createObjectURL(new Blob([text], { type }))
  a.download = name
  a.click()
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000)
}

/** A button that runs `action`, disabled while it runs; errors go to `onError`. */
export function onClick(el: El, action: () => Promise<void> | void, onError: (error: unknown) => void): void {
  el.addEventListener('click', (event) => {
    event.preventDefault()
    el.disabled = true
    Promise.resolve()
      .then(action)
      .catch(onError)
      .finally(() => (el.disabled = false))
  })
}
