/**
 * Keys from the vault for a chain family: the vault as a family's key source, and the search
 * for the key behind an account id (`coffer sign-tx`). The family says how its accounts are
 * derived and named; nothing here knows a family.
 * @module
 * @internal
 */
import type { ChainId } from '../core/caip.js'
import { InvalidArgumentError } from '../core/errors.js'
import type { ChainFamily, KeySource } from '../chains/family.js'
import type { AccountSigner, Signer } from '../keys/signer.js'
import type { GetAccountSignerOptions, GetSignerOptions } from '../vault/signers.js'
import type { Vault } from '../vault/vault.js'

/** The vault as a family's key source (the vault checks the options). */
export function keySource(vault: Vault): KeySource {
  return {
    getSigner: (options) => vault.getSigner(options as GetSignerOptions),
    getAccountSigner: (options) => vault.getAccountSigner(options as unknown as GetAccountSignerOptions),
  }
}

/**
 * The vault's signer for the account `from` on `chainId`: accounts `indexes` of every mnemonic,
 * with each of the family's account variants (`accountSearch`), then, unless `index` was given,
 * every imported key the family can use.
 */
export async function findSigner(
  vault: Vault,
  family: ChainFamily,
  chainId: ChainId,
  from: string,
  indexes: readonly number[],
  searchImported: boolean,
): Promise<Signer | AccountSigner | undefined> {
  const keys = keySource(vault)
  // A multi-address account is named by its descriptor, exactly; an address as the family compares them (EVM: any case).
  const same = (signer: Signer | AccountSigner) =>
    'kind' in signer ? signer.descriptor === from : signer.address === from || family.sameAddress?.(signer.address, from) === true
  // An account id (a descriptor) is no imported key's.
  const imported = searchImported && family.accountFromId?.(chainId, from) === undefined
  const variants = family.accountSearch ?? [{}]
  for (const secret of vault.listSecrets()) {
    if (secret.kind === 'mnemonic') {
      for (const variant of variants) {
        const options = family.accountOptions(variant)
        for (const index of indexes) {
          const signer = await family.signer(keys, chainId, { secretId: secret.id, index, options })
          if (same(signer)) return signer
        }
      }
    } else if (imported) {
      let signer: Signer
      try {
        // An imported key is one address: the family's own signer kind, with no derivation options.
        signer = await vault.getSigner({ secretId: secret.id, chain: family.kind } as GetSignerOptions)
      } catch (error) {
        if (error instanceof InvalidArgumentError) continue
        throw error
      }
      if (same(signer)) return signer
    }
  }
  return undefined
}
