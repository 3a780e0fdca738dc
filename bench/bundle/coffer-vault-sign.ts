// mnemonic → vault → EVM signer → sign one EIP-1559 transaction, all through coffer.
import { signEvmTransaction } from 'coffer/evm'
import { memoryStorage, Vault } from 'coffer/vault'

const vault = await Vault.create({ storage: memoryStorage(), password: 'pw', kdf: { name: 'pbkdf2-sha256' } })
const { id } = await vault.addMnemonic({
  mnemonic: String(globalThis.process?.argv?.[2] ?? 'test test test test test test test test test test test junk'),
})
const signer = await vault.getSigner({ secretId: id, chain: 'evm' })
const signed = await signEvmTransaction(
  {
    chainId: 'eip155:1',
    kind: 'evm-eip1559',
    from: signer.address,
    summary: { to: signer.address, asset: 'eip155:1/slip44:60', amount: '1', fee: '0' },
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
console.log(signed.raw)
