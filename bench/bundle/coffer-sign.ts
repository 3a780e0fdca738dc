// mnemonic → validated seed → EVM signer → one signed EIP-1559 transaction, coffer alone
// (coffer/keys + signEvmTransaction from coffer/evm; no viem code).
import { signEvmTransaction } from 'coffer/evm'
import { evmSigner, mnemonicToSeed } from 'coffer/keys'

const signer = evmSigner(
  await mnemonicToSeed(String(globalThis.process?.argv?.[2] ?? 'test test test test test test test test test test test junk')),
)
const signed = await signEvmTransaction(
  {
    chainId: 'eip155:1',
    kind: 'evm-eip1559',
    from: signer.address,
    summary: { to: signer.address, asset: 'eip155:1/slip44:60', amount: '1', fee: '42000' },
    payload: {
      type: 'eip1559',
      chainId: 1,
      nonce: 0,
      to: signer.address,
      value: '1',
      data: '0x',
      gas: '21000',
      maxFeePerGas: '2',
      maxPriorityFeePerGas: '1',
    },
  },
  signer,
)
signer.wipe()
console.log(signed.raw)
