/** README, "Sign without a vault": the snippet between the region markers. */
import { recoverTransactionAddress } from 'viem'

const phrase = 'test test test test test test test test test test test junk'
const unsigned = {
  chainId: 'eip155:1',
  kind: 'evm-eip1559',
  from: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  summary: { to: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', asset: 'eip155:1/slip44:60', amount: '1000', fee: '42000000000000' },
  payload: {
    type: 'eip1559',
    chainId: 1,
    nonce: 0,
    to: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    value: '1000',
    data: '0x',
    gas: '21000',
    maxFeePerGas: '2000000000',
    maxPriorityFeePerGas: '1000000000',
  },
} as const

// #region readme
import { evmSigner, mnemonicToSeed } from 'coffer/keys'
import { signEvmTransaction } from 'coffer/evm'

const signer = evmSigner(await mnemonicToSeed(phrase), { index: 0 }) // deriveAccount's path and address
const signed = await signEvmTransaction(unsigned, signer)             // offline; refuses a payload its summary hides
signer.wipe()                                                          // zeroes the key; later use throws KeyWipedError
// #endregion readme

const sender = await recoverTransactionAddress({ serializedTransaction: signed.raw as `0x02${string}` })
if (sender !== signer.address) throw new Error(`signed by ${sender}, expected ${signer.address}`)
console.log(signed.hash, sender)
