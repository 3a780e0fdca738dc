/**
 * The addresses file of `coffer watch --addresses`: CSV lines `address,reference[,chain]` (a
 * header naming the columns is optional; double quotes may hold commas) or a JSON array of
 * `{ address, reference, chain? }`, read and checked (each address by its chain's adapter) before
 * anything is added. Failures are usage errors (exit 2) naming the file and the line.
 * @module
 * @internal
 */
import { readFile } from 'node:fs/promises'
import type { ChainId } from '../core/caip.js'
import type { ChainAdapter } from '../chains/adapter.js'
import type { WatchedAddress } from '../watch/index.js'
import { chainName, findChain } from './chains.js'
import type { Context } from './context.js'
import { oneLine, usage } from './output.js'

/** One entry of the addresses file, with where it came from. */
interface FileEntry {
  readonly where: string
  readonly address: string
  readonly reference: string
  readonly chain?: string
}

/** The fields of one CSV line (double quotes around a field may hold commas; `""` is a quote). */
function csvFields(line: string): string[] {
  const fields: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (quoted && c === '"' && line[i + 1] === '"') {
      field += '"'
      i++
    } else if (c === '"') {
      quoted = !quoted
    } else if (c === ',' && !quoted) {
      fields.push(field.trim())
      field = ''
    } else {
      field += c
    }
  }
  fields.push(field.trim())
  return fields
}

/** Reads `--addresses`: CSV (`address,reference[,chain]`, header optional) or a JSON array. */
export async function readAddressFile(file: string): Promise<FileEntry[]> {
  const text = await readFile(file, 'utf8').catch((cause: NodeJS.ErrnoException) => {
    throw usage(cause.code === 'ENOENT' ? `The addresses file ${file} does not exist.` : `Cannot read ${file}: ${cause.code ?? 'error'}.`)
  })
  const body = text.replace(/^\uFEFF/, '')
  if (body.trimStart().startsWith('[')) {
    let data: unknown
    try {
      data = JSON.parse(body)
    } catch {
      throw usage(`${file} is not valid JSON (expected an array of { "address", "reference", "chain"? }).`)
    }
    return (data as unknown[]).map((item, i) => {
      const o = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>
      const str = (v: unknown) => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '')
      return {
        where: `${file}[${i}]`,
        address: str(o.address),
        reference: str(o.reference),
        ...(o.chain === undefined ? {} : { chain: str(o.chain) }),
      }
    })
  }
  const lines = body.split(/\r?\n/).map((line, i) => ({ line, n: i + 1 }))
  const rows = lines.filter((l) => l.line.trim() !== '' && !l.line.trimStart().startsWith('#'))
  let columns = { address: 0, reference: 1, chain: 2 }
  const head = rows[0] ? csvFields(rows[0].line).map((f) => f.toLowerCase()) : []
  if (head.includes('address')) {
    columns = { address: head.indexOf('address'), reference: head.indexOf('reference'), chain: head.indexOf('chain') }
    if (columns.reference < 0) throw usage(`${file}: the header names no "reference" column.`)
    rows.shift()
  }
  return rows.map(({ line, n }) => {
    const f = csvFields(line)
    const chain = columns.chain >= 0 ? f[columns.chain] : undefined
    return {
      where: `${file} line ${n}`,
      address: f[columns.address] ?? '',
      reference: f[columns.reference] ?? '',
      ...(chain ? { chain } : {}),
    }
  })
}

/** The file's entries by chain, each address checked by its chain's adapter. */
export function byChain(ctx: Context, entries: readonly FileEntry[], adapters: readonly ChainAdapter[]): Map<ChainId, WatchedAddress[]> {
  const out = new Map<ChainId, WatchedAddress[]>(adapters.map((a) => [a.chainId, []]))
  const names = adapters.map((a) => chainName(ctx.config, a.chainId)).join(', ')
  for (const e of entries) {
    let adapter: ChainAdapter | undefined
    if (e.chain !== undefined) {
      const id = findChain(ctx.config, e.chain)?.chainId ?? e.chain
      adapter = adapters.find((a) => a.chainId === id)
      if (!adapter) throw usage(`${e.where}: chain "${oneLine(e.chain).slice(0, 60)}" is not one of the watched chains (${names}).`)
    } else if (adapters.length === 1) adapter = adapters[0]
    else throw usage(`${e.where} names no chain: with several chains (${names}) give a "chain" column or field.`)
    const a = adapter as ChainAdapter
    if (!e.address || !a.isValidAddress(e.address))
      throw usage(`${e.where}: "${oneLine(e.address).slice(0, 80)}" is not an address on ${chainName(ctx.config, a.chainId)}.`)
    if (!e.reference || e.reference.length > 500)
      throw usage(`${e.where}: a reference (your id for the address, up to 500 characters) is needed.`)
    out.get(a.chainId)?.push({ address: e.address, reference: e.reference })
  }
  return out
}
