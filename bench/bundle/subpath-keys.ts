// An app on `coffer/keys`: English phrases, seeds, HD nodes, accounts on every chain, addresses and descriptors.
import {
  deriveAccount,
  deriveAccounts,
  deriveEd25519,
  formatDescriptor,
  generateMnemonic,
  HDNode,
  isValidAddress,
  mnemonicToSeed,
  parseDescriptor,
  validateMnemonic,
} from 'coffer/keys'

console.log(
  deriveAccount,
  deriveAccounts,
  deriveEd25519,
  formatDescriptor,
  generateMnemonic,
  HDNode,
  isValidAddress,
  mnemonicToSeed,
  parseDescriptor,
  validateMnemonic,
)
