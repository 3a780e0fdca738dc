/**
 * Checks shared by the families' CLI configuration parsers (`chains/<family>/cli-config.ts`) and
 * the CLI's own config reader: plain objects, known keys, node URLs, and the address offline
 * adapters point at.
 * @module
 * @internal
 */

/** The CLI's usage failure: throws with `where` already in the message. */
export type ConfigFail = (message: string) => never

/** A JSON object as read from the config file. */
export type ConfigObject = { readonly [key: string]: unknown }

/** An http(s) URL without spaces. */
export const CONFIG_URL_RE = /^https?:\/\/\S+$/

/** An address where nothing answers: adapters made for offline signing point here. */
export const OFFLINE_URL = 'http://127.0.0.1:9'

/** True for a plain object (not null, not an array). */
export function isConfigObject(value: unknown): value is ConfigObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Fails on the first key of `obj` not in `allowed`, naming the allowed ones. */
export function onlyKeys(obj: ConfigObject, allowed: readonly string[], where: string, fail: ConfigFail): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) fail(`${where}: unknown key "${key.slice(0, 40)}" (expected one of: ${allowed.join(', ')}).`)
  }
}
