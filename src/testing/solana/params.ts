/**
 * Request validation for the local Solana server, with Agave's (serde's) wording: positional
 * params, config objects, commitments, encodings, pubkeys, signatures. Every check throws
 * an RpcFailure -32602; unknown config keys are ignored, as Agave ignores them.
 * @module
 * @internal
 */
import { base58 } from '@scure/base'
import { RpcFailure, invalidParam, invalidParams, MIN_CONTEXT_SLOT_NOT_REACHED } from './rpc-errors.js'
import type { Commitment, Ledger } from './ledger.js'

/** serde's name of a JSON value in "invalid type" messages. */
function serdeType(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'sequence'
  if (typeof v === 'object') return 'map'
  if (typeof v === 'string') return `string ${JSON.stringify(v.slice(0, 100))}`
  if (typeof v === 'boolean') return `boolean \`${v}\``
  if (typeof v === 'number') return Number.isInteger(v) ? `integer \`${v}\`` : `floating point \`${v}\``
  return typeof v
}

const wrongType = (v: unknown, expected: string): RpcFailure => invalidParams(`invalid type: ${serdeType(v)}, expected ${expected}.`)

/** The positional params, between `min` and `max` of them. */
export function positional(params: unknown, min: number, max: number): unknown[] {
  if (params === undefined || params === null) params = []
  if (!Array.isArray(params)) throw wrongType(params, 'a sequence')
  if (params.length < min || params.length > max) {
    throw invalidParams(
      `invalid length ${params.length}, expected ${min === max ? `${min}` : `${min} to ${max}`} element${max === 1 ? '' : 's'} in sequence.`,
    )
  }
  return params
}

export function str(v: unknown, what = 'a string'): string {
  if (typeof v !== 'string') throw wrongType(v, what)
  return v
}

export function bool(v: unknown): boolean {
  if (typeof v !== 'boolean') throw wrongType(v, 'a boolean')
  return v
}

export function u64(v: unknown, what = 'u64'): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw wrongType(v, what)
  return v
}

/** A base58 public key, or Agave's "Invalid param: Invalid" / "WrongSize". */
export function pubkey(v: unknown): string {
  const s = str(v)
  let bytes: Uint8Array
  try {
    bytes = base58.decode(s)
  } catch {
    throw invalidParam('Invalid')
  }
  if (bytes.length !== 32) throw invalidParam('WrongSize')
  return s
}

/** A base58 signature. */
export function signature(v: unknown): string {
  const s = str(v)
  let bytes: Uint8Array
  try {
    bytes = base58.decode(s)
  } catch {
    throw invalidParam('Invalid')
  }
  if (bytes.length !== 64) throw invalidParam('WrongSize')
  return s
}

/** A config object (or nothing). */
export function config(v: unknown): Record<string, unknown> {
  if (v === undefined || v === null) return {}
  if (typeof v !== 'object' || Array.isArray(v)) throw wrongType(v, 'struct config')
  return v as Record<string, unknown>
}

/** The commitment of a config, `fallback` when absent; `atLeastConfirmed` refuses 'processed' as Agave does. */
export function commitment(cfg: Record<string, unknown>, fallback: Commitment = 'finalized', atLeastConfirmed = false): Commitment {
  const c = cfg.commitment ?? fallback
  if (c !== 'processed' && c !== 'confirmed' && c !== 'finalized') {
    throw invalidParams(`unknown variant ${JSON.stringify(String(c))}, expected one of \`processed\`, \`confirmed\`, \`finalized\`.`)
  }
  if (atLeastConfirmed && c === 'processed') throw invalidParams('Method does not support commitment below `confirmed`')
  return c
}

/** The slot a request is answered at: its commitment's, after checking minContextSlot. */
export function contextSlot(ledger: Ledger, cfg: Record<string, unknown>, fallback: Commitment = 'finalized'): number {
  const slot = ledger.slotAt(commitment(cfg, fallback))
  if (cfg.minContextSlot !== undefined && cfg.minContextSlot !== null) {
    const min = u64(cfg.minContextSlot)
    if (slot < min) throw new RpcFailure(MIN_CONTEXT_SLOT_NOT_REACHED, 'Minimum context slot has not been reached', { contextSlot: slot })
  }
  return slot
}

/** An encoding among `allowed`, `fallback` when absent. */
export function encoding<T extends string>(cfg: Record<string, unknown>, allowed: readonly T[], fallback: T): T {
  const e = cfg.encoding ?? fallback
  if (typeof e !== 'string' || !(allowed as readonly string[]).includes(e)) {
    throw invalidParams(`unsupported encoding ${JSON.stringify(e)} on this local server (supported: ${allowed.join(', ')}).`)
  }
  return e as T
}
