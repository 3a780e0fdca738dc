// mnemonic → EVM account → sign one transaction, viem alone (no wordlist: viem does not validate).
import { mnemonicToAccount } from 'viem/accounts'

const account = mnemonicToAccount(String(globalThis.process?.argv?.[2] ?? 'test test test test test test test test test test test junk'))
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
