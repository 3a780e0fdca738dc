/**
 * The JSON files of the offline-signing flow (`build-tx --out`, `sign-tx`, `broadcast`): read
 * one as JSON, or write one that must not exist yet. Failures are usage errors (exit 2) that
 * name the file.
 * @module
 * @internal
 */
import { readFile, writeFile } from 'node:fs/promises'
import { usage } from './output.js'

/** The parsed JSON of `file`. @throws CliError (exit 2) when it cannot be read or is not JSON */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (cause) {
    throw usage(`Cannot read ${file}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}.`)
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw usage(`${file} is not valid JSON.`)
  }
}

/** Writes `text` to `file`, which must not exist (never overwrites). @throws CliError (exit 2) */
export async function writeNewFile(file: string, text: string): Promise<void> {
  await writeFile(file, text, { flag: 'wx' }).catch((cause: NodeJS.ErrnoException) => {
    throw usage(cause.code === 'EEXIST' ? `${file} exists; not overwriting it.` : `Cannot write ${file}: ${cause.code ?? 'error'}.`)
  })
}

/** True for a JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
