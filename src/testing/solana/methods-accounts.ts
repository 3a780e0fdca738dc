/**
 * Account reads of the local Solana server: getBalance, getAccountInfo, getMultipleAccounts,
 * getTokenAccountsByOwner, getTokenAccountBalance, getMinimumBalanceForRentExemption. Reads are
 * answered at the request's commitment (default 'finalized', as Agave), from the ledger's undo log.
 * @module
 * @internal
 */
import { base58 } from '@scure/base'
import { RENT_EPOCH, type AccountSnap, type Ledger } from './ledger.js'
import { INVALID_REQUEST, RpcFailure, invalidParam, invalidParams } from './rpc-errors.js'
import { config, contextSlot, encoding, positional, pubkey, u64 } from './params.js'
import { jsonParsedToken, parseTokenAccount, uiTokenAmount } from './tokens.js'
import { TOKEN_2022_PROGRAM, TOKEN_PROGRAM } from './wire.js'
import { withContext, type Method } from './context.js'

type AccountEncoding = 'binary' | 'base58' | 'base64' | 'jsonParsed'
const ACCOUNT_ENCODINGS = ['binary', 'base58', 'base64', 'jsonParsed'] as const

function dataSlice(cfg: Record<string, unknown>): { offset: number; length: number } | undefined {
  const d = cfg.dataSlice
  if (d === undefined || d === null) return undefined
  const o = config(d)
  return { offset: u64(o.offset, 'usize offset'), length: u64(o.length, 'usize length') }
}

/** Agave's UiAccount. */
export function uiAccount(
  ledger: Ledger,
  a: AccountSnap,
  enc: AccountEncoding,
  slice?: { offset: number; length: number },
): Record<string, unknown> {
  const bytes = slice ? a.data.subarray(slice.offset, slice.offset + slice.length) : a.data
  let data: unknown
  const parsed = enc === 'jsonParsed' ? jsonParsedToken(a.owner, a.data, (m) => ledger.decimalsOf(m)) : undefined
  if (parsed !== undefined) data = parsed
  else if (enc === 'base64' || enc === 'jsonParsed') data = [Buffer.from(bytes).toString('base64'), 'base64']
  else {
    if (bytes.length > 128) {
      throw new RpcFailure(INVALID_REQUEST, 'Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.')
    }
    data = enc === 'base58' ? [base58.encode(bytes), 'base58'] : base58.encode(bytes)
  }
  return { data, executable: a.executable, lamports: a.lamports, owner: a.owner, rentEpoch: RENT_EPOCH, space: a.data.length }
}

const getBalance: Method = ({ ledger }, params) => {
  const [key, cfgRaw] = positional(params, 1, 2)
  const address = pubkey(key)
  const cfg = config(cfgRaw)
  const slot = contextSlot(ledger, cfg)
  return withContext(slot, ledger.readAt(address, slot)?.lamports ?? 0n)
}

const getAccountInfo: Method = ({ ledger }, params) => {
  const [key, cfgRaw] = positional(params, 1, 2)
  const address = pubkey(key)
  const cfg = config(cfgRaw)
  const enc = encoding<AccountEncoding>(cfg, ACCOUNT_ENCODINGS, 'binary')
  const slice = dataSlice(cfg)
  const slot = contextSlot(ledger, cfg)
  const a = ledger.readAt(address, slot)
  return withContext(slot, a ? uiAccount(ledger, a, enc, slice) : null)
}

const getMultipleAccounts: Method = ({ ledger }, params) => {
  const [keys, cfgRaw] = positional(params, 1, 2)
  if (!Array.isArray(keys)) throw invalidParams('invalid type: expected a sequence of pubkeys.')
  if (keys.length > 100) throw invalidParams('Too many inputs provided; max 100')
  const addresses = keys.map(pubkey)
  const cfg = config(cfgRaw)
  const enc = encoding<AccountEncoding>(cfg, ACCOUNT_ENCODINGS, 'base64')
  const slice = dataSlice(cfg)
  const slot = contextSlot(ledger, cfg)
  return withContext(
    slot,
    addresses.map((address) => {
      const a = ledger.readAt(address, slot)
      return a ? uiAccount(ledger, a, enc, slice) : null
    }),
  )
}

const getTokenAccountsByOwner: Method = ({ ledger }, params) => {
  const [ownerRaw, filterRaw, cfgRaw] = positional(params, 2, 3)
  const owner = pubkey(ownerRaw)
  const filter = config(filterRaw)
  const cfg = config(cfgRaw)
  const enc = encoding<AccountEncoding>(cfg, ACCOUNT_ENCODINGS, 'binary')
  const slice = dataSlice(cfg)
  const slot = contextSlot(ledger, cfg)
  let programs: string[]
  let mint: string | undefined
  if ('mint' in filter) {
    mint = pubkey(filter.mint)
    const m = ledger.readAt(mint, slot)
    if (!m || (m.owner !== TOKEN_PROGRAM && m.owner !== TOKEN_2022_PROGRAM)) throw invalidParam('could not find mint')
    programs = [m.owner]
  } else if ('programId' in filter) {
    const p = pubkey(filter.programId)
    if (p !== TOKEN_PROGRAM && p !== TOKEN_2022_PROGRAM) throw invalidParam('unrecognized Token program id')
    programs = [p]
  } else {
    throw invalidParams('expected a filter object with "mint" or "programId".')
  }
  const value: unknown[] = []
  for (const program of programs) {
    for (const address of ledger.programAccounts(program)) {
      const a = ledger.readAt(address, slot)
      const t = a && parseTokenAccount(a.owner, a.data)
      if (!a || !t || a.owner !== program || t.owner !== owner || (mint !== undefined && t.mint !== mint)) continue
      value.push({ pubkey: address, account: uiAccount(ledger, a, enc, slice) })
    }
  }
  return withContext(slot, value)
}

const getTokenAccountBalance: Method = ({ ledger }, params) => {
  const [key, cfgRaw] = positional(params, 1, 2)
  const address = pubkey(key)
  const slot = contextSlot(ledger, config(cfgRaw))
  const a = ledger.readAt(address, slot)
  if (!a) throw invalidParam('could not find account')
  const t = parseTokenAccount(a.owner, a.data)
  const decimals = t && ledger.decimalsOf(t.mint)
  if (!t || decimals === undefined) throw invalidParam('not a Token account')
  return withContext(slot, uiTokenAmount(t.amount, decimals))
}

const getMinimumBalanceForRentExemption: Method = ({ ledger }, params) => {
  const [len, cfgRaw] = positional(params, 1, 2)
  const size = u64(len, 'usize')
  contextSlot(ledger, config(cfgRaw))
  return ledger.svm.minimumBalanceForRentExemption(BigInt(size))
}

export const ACCOUNT_METHODS: Readonly<Record<string, Method>> = {
  getBalance,
  getAccountInfo,
  getMultipleAccounts,
  getTokenAccountsByOwner,
  getTokenAccountBalance,
  getMinimumBalanceForRentExemption,
}
