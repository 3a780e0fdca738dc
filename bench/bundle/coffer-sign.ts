// mnemonic → EVM account → sign one transaction, through coffer (keys) and viem's serializer.
import { HDNode, mnemonicToSeed } from 'coffer/keys'
import { bytesToHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

const seed = await mnemonicToSeed(String(globalThis.process?.argv?.[2] ?? 'test test test test test test test test test test test junk'))
const node = HDNode.fromSeed(seed).derive("m/44'/60'/0'/0/0")
const account = privateKeyToAccount(bytesToHex(node.exportPrivateKey()))
node.wipe()
console.log(
  await account.signTransaction({
    chainId: 1,
    type: 'eip1559',
    to: account.address,
    value: 1n,
    nonce: 0,
    gas: 21000n,
    maxFeePerGas: 2n,
    maxPriorityFeePerGas: 1n,
  }),
)
