// An app on `coffer/vault`: the Vault in IndexedDB (or memory), keystore import and export.
import { browserStorage, exportKeystore, importKeystore, memoryStorage, Vault } from 'coffer/vault'

console.log(browserStorage, exportKeystore, importKeystore, memoryStorage, Vault)
