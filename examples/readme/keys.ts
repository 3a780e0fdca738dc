/** README, "Keys in ten lines": the snippet between the region markers. */

// #region readme
import { generateMnemonic, mnemonicToSeed, deriveAccount, deriveAccounts, isValidAddress, parseAmount } from 'coffer'

const mnemonic = generateMnemonic({ words: 24 })             // platform CSPRNG, English by default
const seed = await mnemonicToSeed(mnemonic)                  // validates first; native PBKDF2
const eth = deriveAccount(seed, { chain: 'evm' })            // m/44'/60'/0'/0/0, EIP-55 address
const btc = deriveAccount(seed, { chain: 'bitcoin', addressType: 'p2tr' }) // BIP-86, with accountXpub
const sol = deriveAccount(seed, { chain: 'solana' })         // m/44'/501'/0'/0' (SLIP-10)
const tron = deriveAccounts(seed, { chain: 'tron', count: 20 })  // parent derived once
isValidAddress('bitcoin', btc.address)                       // true
parseAmount('12.5', 6)                                       // 12_500_000n (USDT base units; never a float)
// #endregion readme

console.log(eth.address, btc.address, sol.address, tron.length)
