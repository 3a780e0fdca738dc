/**
 * `coffer/vault`: secrets at rest. The {@link Vault} (AES-256-GCM under scrypt/PBKDF2),
 * its storages, Signers that never expose keys, and Ethereum keystore / MetaMask interop.
 * @module coffer/vault
 */
export * from '../core/errors.js'
export { Vault, type VaultCreateOptions, type VaultOpenOptions, type AddMnemonicOptions, type AddPrivateKeyOptions } from './vault.js'
export type { SecretInfo } from './payload.js'
export type { Sealer } from './sealer.js'
export type { GetSignerOptions, GetAccountSignerOptions } from './signers.js'
export { DEFAULT_KDF, DEFAULT_PBKDF2_ITERATIONS, KDF_LIMITS, type Kdf, type KdfOptions, type ScryptKdf, type Pbkdf2Kdf } from './kdf.js'
export { VAULT_FORMAT, VAULT_VERSION, parseVaultFile, type VaultFile } from './format.js'
export { memoryStorage, updateStorage, VAULT_KEY, type VaultStorage, type StorageChange } from './storage.js'
export type { KeyValueStore } from '../core/store.js'
export { fileStorage, type FileStorageOptions } from './file-storage.js'
export { browserStorage, type BrowserStorageOptions } from './browser-storage.js'
export { importKeystore, exportKeystore, type ImportedKeystore, type ExportKeystoreOptions } from './keystore.js'
export {
  importMetaMaskVault,
  type MetaMaskKeyring,
  type MetaMaskHdKeyring,
  type MetaMaskSimpleKeyring,
  type MetaMaskUnsupportedKeyring,
} from './metamask.js'
export type { Signer, Secp256k1Signer, Ed25519Signer, AccountSigner, EcdsaSignature, SchnorrOptions } from '../keys/signer.js'
