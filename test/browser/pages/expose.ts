/**
 * The page side of test/support/browser-page.ts: a page entry hands its functions to
 * `expose`, and the Node test calls them with `callPage(page, name, ...args)`. Arguments and
 * results cross by structured clone: pass bigints as strings.
 */

/** A function the test may call: plain arguments in, a plain (or promised) result out. */
type PageFunction = (...args: never[]) => unknown

/** Publishes `api` as `window.coffer`; the test waits for it before its first call. */
export function expose(api: Record<string, PageFunction>): void {
  ;(globalThis as { coffer?: unknown }).coffer = Object.freeze({ ...api })
}
