// An app on `coffer/evm`: the EVM adapter, transaction, message and typed-data signing, the chain registry.
import { EVM_CHAINS, evm, signEvmTransaction, signMessage, signTypedData, toViemAccount } from 'coffer/evm'

console.log(EVM_CHAINS, evm, signEvmTransaction, signMessage, signTypedData, toViemAccount)
