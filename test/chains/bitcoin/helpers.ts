/** Shared setup for Bitcoin adapter tests: a local Esplora server, an adapter on it, vault signers. */
import { Transaction } from 'bitcoinjs-lib'
import { bitcoin, type BitcoinAdapterOptions } from 'coffer/bitcoin'
import { Vault, memoryStorage } from 'coffer/vault'
import { startEsplora, type EsploraServer } from '../../support/esplora-server.js'

export const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
const FAST_KDF = { name: 'pbkdf2-sha256', iterations: 600_000 } as const

/** A regtest Esplora server and an adapter on it (with extra adapter options). */
export async function regtest(
  options: Omit<BitcoinAdapterOptions, 'network' | 'esploraUrl'> = {},
): Promise<{ server: EsploraServer; adapter: ReturnType<typeof bitcoin> }> {
  const server = await startEsplora({ network: 'regtest' })
  return { server, adapter: bitcoin({ ...options, network: 'regtest', esploraUrl: server.url }) }
}

/** A vault holding `mnemonic`, unlocked. */
export async function vaultWith(mnemonic = ABANDON) {
  const vault = await Vault.create({ storage: memoryStorage(), password: 'test', kdf: FAST_KDF })
  const { id } = await vault.addMnemonic({ mnemonic })
  return { vault, id }
}

/** The virtual size of a raw transaction, measured by bitcoinjs-lib (an independent implementation). */
export function measuredVsize(hex: string): number {
  return Transaction.fromHex(hex).virtualSize()
}
