import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { ed25519 } from '@noble/curves/ed25519.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeBitcoinAddress,
  deriveAccount,
  InvalidAddressError,
  InvalidArgumentError,
  isValidAddress,
  isValidBitcoinAddress,
  isValidEvmAddress,
  isValidSolanaAddress,
  isValidTronAddress,
  mnemonicToSeed,
  solanaAddressFromPublicKey,
  toChecksumAddress,
  tronAddressFromPublicKey,
  evmAddressFromPublicKey,
  type BitcoinNetwork,
} from 'coffer/keys'
import segwit from '../vectors/segwit-addresses.json'
import base58Vectors from '../vectors/base58-addresses.json'
import eip55 from '../vectors/eip55.json'
import tron from '../vectors/tron-addresses.json'
import solana from '../vectors/solana-addresses.json'
import evm from '../vectors/evm-derivation.json'

const NETWORK: Record<string, BitcoinNetwork> = {
  mainnet: 'mainnet',
  testnet: 'testnet',
  testnet4: 'testnet',
  signet: 'testnet',
  regtest: 'regtest',
}
const NETWORKS: BitcoinNetwork[] = ['mainnet', 'testnet', 'regtest']

/** The output script an address pays to, rebuilt from the decoded address. */
function scriptPubKey(info: NonNullable<ReturnType<typeof decodeBitcoinAddress>>): string {
  if (info.type === 'witness') {
    const op = info.version === 0 ? '00' : (0x50 + info.version).toString(16)
    return op + info.program.length.toString(16).padStart(2, '0') + bytesToHex(info.program)
  }
  return info.type === 'p2pkh' ? `76a914${bytesToHex(info.hash)}88ac` : `a914${bytesToHex(info.hash)}87`
}

describe('Bitcoin: BIP-173 / BIP-350 segwit vectors', () => {
  it.each(segwit.valid.map((v) => [v.address, v]))('valid %s', (address, v) => {
    const network = NETWORK[v.network] as BitcoinNetwork
    const info = decodeBitcoinAddress(address, network)
    expect(info).toBeDefined()
    expect(scriptPubKey(info!)).toBe(v.scriptPubKey)
    for (const other of NETWORKS.filter((n) => n !== network)) {
      expect(isValidBitcoinAddress(address, other)).toBe(false)
    }
  })

  const invalid = [
    ...segwit.invalid.map((v) => v.address),
    ...segwit.invalidBip173.map((v) => v.address),
    ...segwit.bip173SupersededValid.map((v) => v.address),
    ...segwit.invalidBitcoinCore,
  ]
  it.each(invalid)('invalid %s on every network', (address) => {
    for (const network of NETWORKS) expect(isValidBitcoinAddress(address, network)).toBe(false)
  })
})

describe('Bitcoin: base58 vectors', () => {
  it.each(base58Vectors.valid.map((v) => [v.address, v]))('valid %s', (address, v) => {
    const info = decodeBitcoinAddress(address, v.network as BitcoinNetwork)
    expect(info).toEqual({ type: v.type, hash: hexToBytes(v.hash) })
    expect(isValidBitcoinAddress(address, v.network === 'mainnet' ? 'testnet' : 'mainnet')).toBe(false)
  })
  it.each(base58Vectors.invalid.map((v) => [v.address, v.reason]))('invalid %s (%s)', (address) => {
    for (const network of NETWORKS) expect(isValidBitcoinAddress(address, network)).toBe(false)
  })
  it('regtest shares testnet base58 versions but not its bech32 prefix', () => {
    const tb = 'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx'
    expect(isValidBitcoinAddress(tb, 'testnet')).toBe(true)
    expect(isValidBitcoinAddress(tb, 'regtest')).toBe(false)
    expect(isValidBitcoinAddress('mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn', 'regtest')).toBe(true)
  })
})

describe('EVM: EIP-55 vectors', () => {
  it.each(eip55.addresses)('%s', (address) => {
    expect(isValidEvmAddress(address)).toBe(true)
    expect(toChecksumAddress(address.toLowerCase())).toBe(address)
    expect(isValidAddress('evm', address.toLowerCase())).toBe(true)
    // Flip the case of one letter: the checksum must catch it (skip all-caps/all-lower forms).
    const i = address.slice(2).search(/[a-fA-F]/) + 2
    const flipped =
      address.slice(0, i) +
      (address[i] === address[i]?.toUpperCase() ? address[i]?.toLowerCase() : address[i]?.toUpperCase()) +
      address.slice(i + 1)
    const body = flipped.slice(2)
    if (body !== body.toLowerCase() && body !== body.toUpperCase()) expect(isValidEvmAddress(flipped)).toBe(false)
  })
  it('rejects malformed addresses', () => {
    for (const bad of [
      '',
      '0x',
      '52908400098527886E0F7030069857D2E4169EE7',
      '0x52908400098527886E0F7030069857D2E4169EE',
      '0xg2908400098527886E0F7030069857D2E4169EE7',
      ' 0x52908400098527886E0F7030069857D2E4169EE7',
    ]) {
      expect(isValidEvmAddress(bad)).toBe(false)
      expect(() => toChecksumAddress(bad)).toThrow(InvalidAddressError)
    }
  })
  it.each(evm.cases.map((c) => [c.path, c] as const))('derivation %s from a public mnemonic vector', async (_path, c) => {
    const seed = await mnemonicToSeed(c.mnemonic, { passphrase: c.passphrase })
    expect(deriveAccount(seed, { chain: 'evm', path: c.path }).address).toBe(c.address)
  })
  it('private key → address', () => {
    for (const c of evm.privateKeyCases) expect(evmAddressFromPublicKey(secp256k1.getPublicKey(hexToBytes(c.privateKey)))).toBe(c.address)
  })
})

describe('Tron vectors', () => {
  it.each(tron.cases.map((c) => [c.address, c] as const))('%s', async (address, c) => {
    expect(isValidTronAddress(address)).toBe(true)
    if ('privateKey' in c && c.privateKey) {
      expect(tronAddressFromPublicKey(secp256k1.getPublicKey(hexToBytes(c.privateKey.toLowerCase()), false))).toBe(address)
    }
    if ('mnemonic' in c && c.mnemonic) {
      const account = deriveAccount(await mnemonicToSeed(c.mnemonic), { chain: 'tron', path: c.path })
      expect(account.address).toBe(address)
      expect(bytesToHex(account.publicKey)).toBe(c.publicKey)
    }
  })
  it.each(tron.invalid)('invalid %s', (address) => {
    expect(isValidTronAddress(address)).toBe(false)
  })
})

describe('Solana vectors', () => {
  it.each(solana.cases.map((c) => [c.address, c] as const))('%s', async (address, c) => {
    expect(isValidSolanaAddress(address)).toBe(true)
    if ('publicKey' in c && c.publicKey) expect(solanaAddressFromPublicKey(hexToBytes(c.publicKey))).toBe(address)
    if ('privateKey' in c && c.privateKey && !('mnemonic' in c))
      expect(solanaAddressFromPublicKey(ed25519.getPublicKey(hexToBytes(c.privateKey)))).toBe(address)
    if ('mnemonic' in c && c.mnemonic) {
      expect(deriveAccount(await mnemonicToSeed(c.mnemonic, { passphrase: c.passphrase }), { chain: 'solana', path: c.path }).address).toBe(
        address,
      )
    }
  })
  it.each(solana.invalid.map((v) => [v.address, v.reason]))('invalid %s (%s)', (address) => {
    expect(isValidSolanaAddress(address)).toBe(false)
  })
  it('accepts off-curve program-derived addresses (they are valid destinations)', () => {
    for (const address of [...solana.onCurve, ...solana.offCurve]) expect(isValidSolanaAddress(address)).toBe(true)
  })
})

describe('isValidAddress', () => {
  it('dispatches per chain and never crosses chains', () => {
    expect(isValidAddress('evm', '0x52908400098527886E0F7030069857D2E4169EE7')).toBe(true)
    expect(isValidAddress('tron', '0x52908400098527886E0F7030069857D2E4169EE7')).toBe(false)
    expect(isValidAddress('solana', 'TJRyWwFs9wTFGZg3JbrVriFbNfCug5tDeC')).toBe(false)
    expect(isValidAddress('bitcoin', 'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx', { network: 'testnet' })).toBe(true)
  })
  it('throws only for an unknown chain or network', () => {
    expect(() => isValidAddress('doge' as never, 'x')).toThrow(InvalidArgumentError)
    expect(() => isValidAddress('bitcoin', 'x', { network: 'signet' as never })).toThrow(InvalidArgumentError)
  })
  it('every address coffer derives is valid on its chain (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 64 }),
        fc.constantFrom('evm', 'tron', 'solana', 'bitcoin'),
        fc.constantFrom(...NETWORKS),
        fc.constantFrom('p2pkh', 'p2sh-p2wpkh', 'p2wpkh', 'p2tr'),
        (seed, chain, network, addressType) => {
          const options = (chain === 'bitcoin' ? { chain, network, addressType } : { chain }) as Parameters<typeof deriveAccount>[1]
          const account = deriveAccount(seed, options)
          expect(isValidAddress(chain, account.address, { network })).toBe(true)
        },
      ),
      { numRuns: 60 },
    )
  })
  it('arbitrary strings never throw (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (text) => {
        for (const chain of ['evm', 'tron', 'solana', 'bitcoin'] as const) expect(typeof isValidAddress(chain, text)).toBe('boolean')
      }),
    )
  })
})
