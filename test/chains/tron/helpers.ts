/** Shared setup for the Tron transaction tests: vault signers, a client on the local server, and a builder/signer pair. */
import { Vault, memoryStorage } from 'coffer/vault'
import type { Secp256k1Signer } from 'coffer/keys'
import type { ChainId } from '../../../src/core/caip.js'
import { tronChainId, trxAssetId } from '../../../src/chains/tron/networks.js'
import type { TronSigningToken } from '../../../src/chains/tron/signing.js'

const FAST_KDF = { name: 'pbkdf2-sha256', iterations: 600_000 } as const
const MNEMONIC = 'legal winner thank year wave sausage worth useful legal winner thank yellow'

/** `count` Tron signers of one vault (m/44'/195'/0'/0/i). */
export async function tronSigners(count: number): Promise<Secp256k1Signer[]> {
  const vault = await Vault.create({ storage: memoryStorage(), password: 'test', kdf: FAST_KDF })
  const { id } = await vault.addMnemonic({ mnemonic: MNEMONIC })
  const signers: Secp256k1Signer[] = []
  for (let index = 0; index < count; index++) signers.push(await vault.getSigner({ secretId: id, chain: 'tron', index }))
  return signers
}

/** The chain id, native asset and token list a Tron adapter on a server would hold. */
export function chainFacts(
  genesisBlockId: string,
  tokens: readonly { address: string; symbol: string; decimals: number }[],
): { chainId: ChainId; native: ReturnType<typeof trxAssetId>; tokens: TronSigningToken[] } {
  const chainId = tronChainId(genesisBlockId)
  return {
    chainId,
    native: trxAssetId(chainId),
    tokens: tokens.map((t) => ({ contract: t.address, symbol: t.symbol, decimals: t.decimals })),
  }
}
