/** Shared setup for EVM adapter tests: the shared anvil, an adapter over it, vault signers, funding. */
import { inject } from 'vitest'
import type { UnsignedTransaction } from 'coffer'
import { generateMnemonic } from 'coffer/keys'
import { Vault, memoryStorage, type Secp256k1Signer } from 'coffer/vault'
import { evm, type EvmAdapterOptions } from 'coffer/evm'
import { mintTokens, setBalance, type FixtureAddresses } from '../../support/anvil.js'

const FAST_KDF = { name: 'pbkdf2-sha256', iterations: 600_000 } as const

/** The shared anvil and its fixtures (started by test/support/global-setup.ts). */
export function sharedAnvil(): { url: string; fixtures: FixtureAddresses } {
  return inject('anvil')
}

/** The fixture tokens as adapter token configs (USDC-like, DAI-like, USDT-like, and a reverting one). */
export function fixtureTokens(f: FixtureAddresses, withReverting = false): NonNullable<EvmAdapterOptions['tokens']> {
  const tokens = [f.usdc, f.dai, f.usdt].map((t) => ({
    address: t.address,
    symbol: t.symbol,
    decimals: t.decimals,
    name: t.name,
    family: t.symbol,
  }))
  return withReverting ? [...tokens, { address: f.reverting.address }] : tokens
}

/** An EVM adapter on the shared anvil (or `url`), knowing the fixture tokens. */
export function localAdapter(overrides: Partial<EvmAdapterOptions> = {}, url?: string) {
  const { url: shared, fixtures } = sharedAnvil()
  return evm({ chain: 'eip155:31337', rpcUrls: [url ?? shared], tokens: fixtureTokens(fixtures), ...overrides })
}

/** A fresh vault with a random mnemonic and `count` EVM signers (fresh, unfunded addresses). */
export async function vaultSigners(count: number): Promise<{ vault: Vault; signers: Secp256k1Signer[] }> {
  const vault = await Vault.create({ storage: memoryStorage(), password: 'test', kdf: FAST_KDF })
  const { id } = await vault.addMnemonic({ mnemonic: generateMnemonic() })
  const signers = await Promise.all(Array.from({ length: count }, (_, index) => vault.getSigner({ secretId: id, chain: 'evm', index })))
  return { vault, signers }
}

/** Gives `address` ETH and fixture tokens. */
export async function fund(address: `0x${string}`, { eth = 10n ** 20n, usdc = 0n, dai = 0n, usdt = 0n } = {}, url?: string): Promise<void> {
  const { url: shared, fixtures } = sharedAnvil()
  const u = url ?? shared
  await setBalance(u, address, eth)
  if (usdc) await mintTokens(u, fixtures.usdc.address, address, usdc)
  if (dai) await mintTokens(u, fixtures.dai.address, address, dai)
  if (usdt) await mintTokens(u, fixtures.usdt.address, address, usdt)
}

/** An unsigned EIP-1559 transaction on chain 1 paying 1 wei from `from` to itself (signing tests; never broadcast). */
export function selfPayment(from: string): UnsignedTransaction {
  return {
    chainId: 'eip155:1',
    kind: 'evm-eip1559',
    from,
    summary: { to: from, asset: 'eip155:1/slip44:60', amount: '1', fee: '42000' },
    payload: {
      type: 'eip1559',
      chainId: 1,
      nonce: 0,
      to: from,
      value: '1',
      data: '0x',
      gas: '21000',
      maxFeePerGas: '2',
      maxPriorityFeePerGas: '1',
    },
  }
}
