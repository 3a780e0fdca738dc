/**
 * Signing throughput, 1,000 operations each: EIP-1559 transactions, personal messages and
 * EIP-712 messages. coffer (a vault signer, self-verification on and off) beside viem
 * `privateKeyToAccount`, ethers v6 `Wallet`, Tether WDK and the raw @noble/curves floor.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import {
  hashMessage,
  hashTypedData,
  hexToBytes,
  keccak256,
  numberToHex,
  serializeTransaction,
  type TransactionSerializableEIP1559,
  type TypedDataDefinition,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { Wallet } from 'ethers'
import WalletManagerEvm from '@tetherto/wdk-wallet-evm'
import { signEvmTransaction, signMessage, signTypedData } from 'coffer/evm'
import { memoryStorage, Vault } from 'coffer/vault'
import type { UnsignedTransaction } from 'coffer'
import { measureAll, table } from './harness.js'

const N = 1000
const MNEMONIC = 'test test test test test test test test test test test junk'
const KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const tx = (nonce: number): TransactionSerializableEIP1559 => ({
  type: 'eip1559',
  chainId: 1,
  nonce,
  to: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  value: 10n ** 15n,
  gas: 21000n,
  maxFeePerGas: 30n * 10n ** 9n,
  maxPriorityFeePerGas: 10n ** 9n,
  data: '0x',
})
const typed = (i: number): TypedDataDefinition => ({
  domain: { name: 'Ether Mail', version: '1', chainId: 1, verifyingContract: '0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC' },
  types: {
    Person: [
      { name: 'name', type: 'string' },
      { name: 'wallet', type: 'address' },
    ],
    Mail: [
      { name: 'from', type: 'Person' },
      { name: 'to', type: 'Person' },
      { name: 'contents', type: 'string' },
    ],
  },
  primaryType: 'Mail',
  message: {
    from: { name: 'Cow', wallet: '0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826' },
    to: { name: 'Bob', wallet: '0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB' },
    contents: `Hello #${i}`,
  },
})
const unsigned = (from: string, nonce: number): UnsignedTransaction => ({
  chainId: 'eip155:1',
  kind: 'evm-eip1559',
  from,
  summary: {
    to: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    asset: 'eip155:1/slip44:60',
    amount: '1000000000000000',
    fee: '630000000000000',
  },
  payload: {
    type: 'eip1559',
    chainId: 1,
    nonce,
    to: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    value: '1000000000000000',
    data: '0x',
    gas: '21000',
    maxFeePerGas: '30000000000',
    maxPriorityFeePerGas: '1000000000',
  },
})

async function loop(fn: (i: number) => unknown): Promise<void> {
  for (let i = 0; i < N; i++) await fn(i)
}

export async function benchEvmSigning(): Promise<string[]> {
  const vault = await Vault.create({ storage: memoryStorage(), password: 'bench', kdf: { name: 'pbkdf2-sha256' } })
  const { id } = await vault.addMnemonic({ mnemonic: MNEMONIC })
  const verified = await vault.getSigner({ secretId: id, chain: 'evm' })
  const unverified = await vault.getSigner({ secretId: id, chain: 'evm', verify: false })
  const viem = privateKeyToAccount(KEY)
  const ethers = new Wallet(KEY)
  const wdk = await new WalletManagerEvm(MNEMONIC, {}).getAccount(0)
  const key = hexToBytes(KEY)
  const floorSign = (hash: `0x${string}`) => secp256k1.sign(hexToBytes(hash), key, { lowS: true })

  const sign = (hash: `0x${string}`) => floorSign(hash)
  const txRows = await measureAll(
    [
      [
        'floor: noble sign over viem `serializeTransaction`',
        () =>
          loop((i) => {
            const t = tx(i)
            const sig = sign(keccak256(serializeTransaction(t)))
            return serializeTransaction(t, {
              r: numberToHex(sig.r, { size: 32 }),
              s: numberToHex(sig.s, { size: 32 }),
              yParity: sig.recovery,
            })
          }),
      ],
      ['**coffer** vault signer, `verify: false`', () => loop((i) => signEvmTransaction(unsigned(unverified.address, i), unverified))],
      ['**coffer** vault signer, self-verified (default)', () => loop((i) => signEvmTransaction(unsigned(verified.address, i), verified))],
      ['viem `privateKeyToAccount().signTransaction`', () => loop((i) => viem.signTransaction(tx(i)))],
      ['ethers v6 `Wallet.signTransaction`', () => loop((i) => ethers.signTransaction({ ...tx(i), type: 2 } as never))],
      ['Tether WDK `account.signTransaction`', () => loop((i) => wdk.signTransaction({ ...tx(i), type: 2 } as never))],
    ],
    N,
  )
  const msgRows = await measureAll(
    [
      ['floor: noble sign over viem `hashMessage`', () => loop((i) => sign(hashMessage(`hello ${i}`)))],
      ['**coffer** `signMessage`, `verify: false`', () => loop((i) => signMessage(unverified, `hello ${i}`))],
      ['**coffer** `signMessage`, self-verified', () => loop((i) => signMessage(verified, `hello ${i}`))],
      ['viem `signMessage`', () => loop((i) => viem.signMessage({ message: `hello ${i}` }))],
      ['ethers v6 `signMessage`', () => loop((i) => ethers.signMessage(`hello ${i}`))],
    ],
    N,
  )
  const typedRows = await measureAll(
    [
      ['floor: noble sign over viem `hashTypedData`', () => loop((i) => sign(hashTypedData(typed(i))))],
      ['**coffer** `signTypedData`, `verify: false`', () => loop((i) => signTypedData(unverified, typed(i)))],
      ['**coffer** `signTypedData`, self-verified', () => loop((i) => signTypedData(verified, typed(i)))],
      ['viem `signTypedData`', () => loop((i) => viem.signTypedData(typed(i) as never))],
      [
        'ethers v6 `signTypedData`',
        () =>
          loop((i) => {
            const t = typed(i)
            const { Mail, Person } = t.types as never
            return ethers.signTypedData(t.domain as never, { Mail, Person }, t.message as never)
          }),
      ],
    ],
    N,
  )
  vault.lock()
  return [
    table(`Signing ${N.toLocaleString('en-US')} EIP-1559 transactions`, 'tx/s', txRows, 'viem `privateKeyToAccount().signTransaction`'),
    table(`Signing ${N.toLocaleString('en-US')} personal messages (EIP-191)`, 'sig/s', msgRows, 'viem `signMessage`'),
    table(`Signing ${N.toLocaleString('en-US')} EIP-712 messages`, 'sig/s', typedRows, 'viem `signTypedData`'),
  ]
}
