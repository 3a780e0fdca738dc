// The same with viem's `english` export, which pulls every wordlist.
import { english, generateMnemonic, mnemonicToAccount } from 'viem/accounts'

const account = mnemonicToAccount(String(globalThis.process?.argv?.[2] ?? generateMnemonic(english)))
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
