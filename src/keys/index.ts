/**
 * `coffer/keys`: pure key math, no I/O. BIP-39 mnemonics, BIP-32 / SLIP-10 derivation,
 * and addresses for EVM, Bitcoin, Solana and Tron.
 * @module coffer/keys
 */
export * from '../core/errors.js'
export {
  generateMnemonic,
  validateMnemonic,
  entropyToMnemonic,
  mnemonicToEntropy,
  mnemonicToSeed,
  type MnemonicLength,
  type LanguageOptions,
  type GenerateMnemonicOptions,
  type MnemonicToSeedOptions,
} from './mnemonic.js'
export {
  english,
  japanese,
  korean,
  spanish,
  chineseSimplified,
  chineseTraditional,
  french,
  italian,
  czech,
  portuguese,
  type Wordlist,
  type WordlistLanguage,
} from './wordlists/index.js'
export { parsePath, formatPath, harden, isHardened, HARDENED_OFFSET, MAX_DEPTH } from './path.js'
export { HDNode, EXTENDED_KEY_VERSIONS, type ExtendedKeyFormat, type ExtendedKeyVersions, type HDNodeFromSeedOptions } from './secp256k1.js'
export { deriveEd25519, type Ed25519Key } from './ed25519.js'
export { evmSigner, tronSigner, type SeedSigner, type SeedSignerOptions } from './hd-signers.js'
export {
  deriveAccount,
  deriveAccounts,
  CHAIN_KINDS,
  type ChainKind,
  type DeriveAccountOptions,
  type DeriveAccountsOptions,
  type DerivedAccount,
  type DerivedAccountFor,
  type DerivedBitcoinAccount,
  type EvmDeriveOptions,
  type BitcoinDeriveOptions,
  type SolanaDeriveOptions,
  type TronDeriveOptions,
} from './account.js'
export { isValidAddress, type IsValidAddressOptions } from './addresses.js'
export { descriptorChecksum, formatDescriptor, parseDescriptor, type AccountDescriptor } from './descriptor.js'
export {
  KeyHandle,
  type Signer,
  type Secp256k1Signer,
  type Ed25519Signer,
  type AccountSigner,
  type EcdsaSignature,
  type SchnorrOptions,
  type SignerInfo,
  type SignerOptions,
} from './signer.js'
export { evmAddressFromPublicKey, toChecksumAddress, isValidEvmAddress } from './address/evm.js'
export {
  bitcoinAddressFromPublicKey,
  decodeBitcoinAddress,
  isValidBitcoinAddress,
  taprootOutputKey,
  hash160,
  BITCOIN_NETWORKS,
  BITCOIN_ADDRESS_TYPES,
  type BitcoinNetwork,
  type BitcoinAddressType,
  type BitcoinAddressInfo,
} from './address/bitcoin.js'
export { solanaAddressFromPublicKey, isValidSolanaAddress } from './address/solana.js'
export { tronAddressFromPublicKey, isValidTronAddress } from './address/tron.js'
