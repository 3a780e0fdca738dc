/**
 * HD derivation: 1,000 EVM addresses (m/44'/60'/0'/0/i) and 1,000 Bitcoin P2WPKH
 * addresses (m/84'/0'/0'/0/i) from a seed, coffer beside the floor and other libraries;
 * and 1,000 EVM addresses asked for one index at a time (`deriveAccount` in a loop), the
 * way an app that shows one address per user calls it, beside viem and ethers doing the same.
 */
import { mod } from '@noble/curves/abstract/modular.js'
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/abstract/utils.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { hmac } from '@noble/hashes/hmac.js'
import { ripemd160 } from '@noble/hashes/legacy.js'
import { sha256, sha512 } from '@noble/hashes/sha2.js'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { HDKey } from '@scure/bip32'
import { bech32 } from '@scure/base'
import WalletManagerEvm from '@tetherto/wdk-wallet-evm'
import { HDNodeWallet } from 'ethers'
import { hdKeyToAccount } from 'viem/accounts'
import { deriveAccount, deriveAccounts, mnemonicToSeed } from 'coffer'
import { measure, measureAll, table, type Row } from './harness.js'

const MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
const COUNT = 1000

/** The floor: parent derived once, then per child HMAC-SHA512 + scalar add + getPublicKey + hash. No fingerprints. */
function floorChildren(parent: HDKey, count: number, leaf: (pub: Uint8Array) => Uint8Array, compressed: boolean): Uint8Array[] {
  const k = bytesToNumberBE(parent.privateKey as Uint8Array)
  const data = new Uint8Array(37)
  data.set(parent.publicKey as Uint8Array)
  const view = new DataView(data.buffer)
  const out: Uint8Array[] = []
  for (let i = 0; i < count; i++) {
    view.setUint32(33, i)
    const I = hmac(sha512, parent.chainCode as Uint8Array, data)
    const child = mod(bytesToNumberBE(I.subarray(0, 32)) + k, secp256k1.CURVE.n)
    out.push(leaf(secp256k1.getPublicKey(numberToBytesBE(child, 32), compressed)))
  }
  return out
}

export async function benchDerive(): Promise<string[]> {
  const seed = await mnemonicToSeed(MNEMONIC)
  const root = HDKey.fromMasterSeed(seed)
  const evmParent = root.derive("m/44'/60'/0'/0")
  const btcParent = root.derive("m/84'/0'/0'/0")
  const ethersRoot = HDNodeWallet.fromSeed(seed)
  const ethersParent = ethersRoot.derivePath("m/44'/60'/0'/0")
  const wdk = new WalletManagerEvm(MNEMONIC, {})

  // Sanity: every contender derives the same first address.
  const expected = deriveAccounts(seed, { chain: 'evm', count: 1 })[0]?.address
  const checks = [
    ethersParent.deriveChild(0).address,
    deriveAccount(seed.slice(), { chain: 'evm', index: 0 }).address,
    hdKeyToAccount(root, { addressIndex: 0 }).address,
    await (await wdk.getAccount(0)).getAddress(),
  ]
  if (checks.some((a) => a !== expected)) throw new Error(`contenders disagree: ${expected} vs ${checks.join(', ')}`)

  const evm: Row[] = [
    await measure('floor: noble HMAC-SHA512 + getPublicKey + keccak', COUNT, () =>
      floorChildren(evmParent, COUNT, (pub) => keccak_256(pub.subarray(1)).subarray(12), false),
    ),
    await measure(
      '**coffer `deriveAccounts`**',
      COUNT,
      () => deriveAccounts(seed.slice(), { chain: 'evm', count: COUNT }), // a new seed object: no cached parent
      5,
      'from the seed, EIP-55 included',
    ),
    await measure('@scure/bip32 `deriveChild` + keccak', COUNT, () => {
      for (let i = 0; i < COUNT; i++)
        keccak_256(
          secp256k1.ProjectivePoint.fromHex(evmParent.deriveChild(i).publicKey as Uint8Array)
            .toRawBytes(false)
            .subarray(1),
        )
    }),
    await measure(
      'ethers v6 `parent.deriveChild(i)`',
      COUNT,
      () => {
        for (let i = 0; i < COUNT; i++) void ethersParent.deriveChild(i).address
      },
      3,
    ),
    await measure(
      'ethers v6 `root.derivePath(path)`',
      COUNT,
      () => {
        for (let i = 0; i < COUNT; i++) void ethersRoot.derivePath(`m/44'/60'/0'/0/${i}`).address
      },
      1,
    ),
    await measure(
      'viem `hdKeyToAccount`',
      COUNT,
      () => {
        for (let i = 0; i < COUNT; i++) void hdKeyToAccount(root, { addressIndex: i }).address
      },
      1,
    ),
    await measure(
      'Tether WDK `getAccount(i).getAddress()`',
      COUNT,
      async () => {
        const fresh = new WalletManagerEvm(seed, {}) // WDK caches accounts: a fresh manager per round
        for (let i = 0; i < COUNT; i++) await (await fresh.getAccount(i)).getAddress()
      },
      1,
    ),
  ]
  // One index at a time: each call starts from the seed (coffer) or the root HDKey (viem, ethers).
  // Round-robin, so machine noise falls evenly on the three.
  const VIEM_ONE = 'viem `hdKeyToAccount(root, { addressIndex: i })`'
  const one = await measureAll(
    [
      [
        "**coffer `deriveAccount(seed, { chain: 'evm', index: i })`**",
        () => {
          for (let i = 0; i < COUNT; i++) void deriveAccount(seed, { chain: 'evm', index: i }).address
        },
      ],
      [
        VIEM_ONE,
        () => {
          for (let i = 0; i < COUNT; i++) void hdKeyToAccount(root, { addressIndex: i }).address
        },
      ],
      [
        'ethers v6 `root.derivePath(path)`',
        () => {
          for (let i = 0; i < COUNT; i++) void ethersRoot.derivePath(`m/44'/60'/0'/0/${i}`).address
        },
      ],
    ],
    COUNT,
    3,
  )
  if (one[0]) one[0].note = "the parent's public key and chain code cached per seed object"
  const p2wpkh = (pub: Uint8Array) => new TextEncoder().encode(bech32.encode('bc', [0, ...bech32.toWords(ripemd160(sha256(pub)))]))
  const btc: Row[] = [
    await measure('floor: noble HMAC-SHA512 + getPublicKey + hash160 + bech32', COUNT, () => floorChildren(btcParent, COUNT, p2wpkh, true)),
    await measure(
      '**coffer `deriveAccounts`** (P2WPKH)',
      COUNT,
      () => deriveAccounts(seed.slice(), { chain: 'bitcoin', count: COUNT }),
      5,
      'from the seed, account xpub included',
    ),
    await measure('@scure/bip32 `deriveChild` + hash160 + bech32', COUNT, () => {
      for (let i = 0; i < COUNT; i++) p2wpkh(btcParent.deriveChild(i).publicKey as Uint8Array)
    }),
  ]
  return [
    table(`HD derivation: ${COUNT} EVM addresses m/44'/60'/0'/0/i`, 'addresses/s', evm, 'floor: noble HMAC-SHA512 + getPublicKey + keccak'),
    table(
      `HD derivation: ${COUNT} Bitcoin P2WPKH addresses m/84'/0'/0'/0/i`,
      'addresses/s',
      btc,
      'floor: noble HMAC-SHA512 + getPublicKey + hash160 + bech32',
    ),
    table(`deriveAccount one index at a time: ${COUNT.toLocaleString('en-US')} EVM addresses`, 'addresses/s', one, VIEM_ONE),
  ]
}
