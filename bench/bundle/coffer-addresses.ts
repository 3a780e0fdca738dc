// mnemonic → addresses on all four chains, coffer only (no viem).
import { deriveAccount, mnemonicToSeed } from 'coffer/keys'

const seed = await mnemonicToSeed(String(globalThis.process?.argv?.[2] ?? 'test test test test test test test test test test test junk'))
for (const chain of ['evm', 'bitcoin', 'solana', 'tron'] as const) console.log(deriveAccount(seed, { chain }).address)
