/**
 * The wallet record: which vault secret is the wallet's and which accounts it has opened (with
 * their public addresses, so `accounts()` works while locked), kept in the clear under the storage
 * key `wallet`. Saves merge with what is stored: two processes opening accounts both keep theirs.
 *
 * Each account has its `address`, its family's account `options`, and on multi-address accounts
 * (Bitcoin) its `descriptor`. Records from before `descriptor` existed kept the descriptor in
 * `address`, and records from before `options` kept only `addressType`; both are read as the same
 * account (see `migrateAccount`: the chain's family fills in what is missing) and written back in
 * the new form by the next save. The format stays version 1: the changes only add fields.
 * @module
 * @internal
 */
import { InvalidArgumentError } from '../core/errors.js'
import { updateStorage, type VaultStorage } from '../vault/storage.js'
import { accountOptionsOf, migrateAccount, sameAccountOptions, type AccountRecord } from './accounts.js'

/** The stored wallet record. */
export interface WalletRecord {
  format: 'coffer-wallet'
  version: 1
  /** The id of the wallet's mnemonic in the vault ('' until known). */
  primary: string
  accounts: AccountRecord[]
}

/** The storage key of the record. */
export const RECORD_KEY = 'wallet'

/** A record with no accounts yet. */
export function emptyRecord(): WalletRecord {
  return { format: 'coffer-wallet', version: 1, primary: '', accounts: [] }
}

function sameAccount(a: AccountRecord, b: AccountRecord): boolean {
  return (
    a.chainId === b.chainId &&
    a.secretId === b.secretId &&
    a.index === b.index &&
    sameAccountOptions(a.chainId, accountOptionsOf(a), accountOptionsOf(b))
  )
}

/** Parses a stored record. @throws InvalidArgumentError */
export function parseRecord(text: string | undefined): WalletRecord {
  try {
    const r = JSON.parse(text ?? '') as WalletRecord
    if (r.format !== 'coffer-wallet' || r.version !== 1 || typeof r.primary !== 'string' || !Array.isArray(r.accounts))
      throw new Error('shape')
    for (const a of r.accounts) {
      if (
        typeof a.chainId !== 'string' ||
        typeof a.secretId !== 'string' ||
        !Number.isSafeInteger(a.index) ||
        typeof a.address !== 'string'
      )
        throw new Error('account')
      if (a.descriptor !== undefined && typeof a.descriptor !== 'string') throw new Error('descriptor')
      if (a.options !== undefined && (a.options === null || typeof a.options !== 'object' || Array.isArray(a.options)))
        throw new Error('options')
      if (a.addressType !== undefined && typeof a.addressType !== 'string') throw new Error('addressType')
    }
    return { ...r, accounts: r.accounts.map(migrateAccount) }
  } catch {
    throw new InvalidArgumentError(
      'This storage holds a vault but no readable wallet record; open it with Vault.open, or create the wallet with Wallet.create in an empty storage.',
    )
  }
}

/** Stores `record` merged with what is stored now; `record` learns the accounts others opened. */
export async function saveRecord(storage: VaultStorage, record: WalletRecord): Promise<void> {
  await updateStorage(storage, RECORD_KEY, (current) => {
    if (current !== undefined) {
      const stored = parseRecord(current)
      if (!record.primary) record.primary = stored.primary
      for (const a of stored.accounts) if (!record.accounts.some((b) => sameAccount(a, b))) record.accounts.push(a)
    }
    return JSON.stringify(record)
  })
}
