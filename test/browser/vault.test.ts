/**
 * The vault in real headless Chromium, through the built package bundled for the browser
 * (test/browser/pages/vault.ts): IndexedDB and the localStorage fallback, both KDFs
 * (PBKDF2 on WebCrypto, scrypt), typed errors, signers of every chain family, payment URIs
 * and QR codes. Expected addresses and URIs come from coffer's source in this Node process.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { describe, expect, it } from 'vitest'
import { deriveAccount, mnemonicToSeed } from 'coffer/keys'
import { VAULT_KEY } from 'coffer/vault'
import { formatPaymentUri, type PaymentRequest } from 'coffer'
import { callPage, useBrowser } from '../support/browser-page.js'

const MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
const PASSWORD = 'correct horse battery staple'
const PBKDF2 = { name: 'pbkdf2-sha256', iterations: 600_000 } as const
/** The cheapest scrypt the vault accepts: N·r·p at the floor of 2^17·8, 16 MiB of memory. */
const SCRYPT = { name: 'scrypt', N: 2 ** 14, r: 8, p: 8 } as const
const MESSAGE = Uint8Array.from({ length: 32 }, (_, i) => i + 1)
const CHAINS = ['evm', 'bitcoin', 'solana', 'tron'] as const

const browser = useBrowser()

describe('vault in Chromium', () => {
  it('creates a vault in IndexedDB (PBKDF2 on WebCrypto), reopens it after a page load, unlocks and locks', async () => {
    const page = await browser.open('vault')
    const id = await callPage<string>(page, 'create', 'idb-pbkdf2', PASSWORD, PBKDF2, MNEMONIC)
    expect(await callPage(page, 'storedKdf', 'idb-pbkdf2')).toBe('pbkdf2-sha256')
    expect(await page.evaluate('localStorage.length')).toBe(0)

    await page.reload()
    expect(await callPage(page, 'open', 'idb-pbkdf2')).toBe(true)
    expect(await callPage(page, 'unlock', PASSWORD)).toBe(false)
    expect(await callPage(page, 'secretIds')).toEqual([id])
    expect(await callPage(page, 'lock')).toBe(true)
    await expect(callPage(page, 'secretIds')).rejects.toMatchObject({ name: 'VaultLockedError', code: 'VAULT_LOCKED' })
  })

  it('refuses a wrong password with WrongPasswordError, then opens with the right one', async () => {
    const page = await browser.open('vault')
    await callPage(page, 'create', 'wrong-pw', PASSWORD, PBKDF2, MNEMONIC)
    await page.reload()
    await callPage(page, 'open', 'wrong-pw')
    await expect(callPage(page, 'unlock', 'not the password')).rejects.toMatchObject({
      name: 'WrongPasswordError',
      code: 'WRONG_PASSWORD',
    })
    expect(await callPage(page, 'unlock', PASSWORD)).toBe(false)
  })

  it('refuses a tampered stored vault with typed errors', async () => {
    const page = await browser.open('vault')
    await callPage(page, 'create', 'tampered-body', PASSWORD, PBKDF2, MNEMONIC)
    await callPage(page, 'create', 'tampered-header', PASSWORD, PBKDF2, MNEMONIC)
    await page.reload()
    await callPage(page, 'tamperCiphertext', 'tampered-body')
    await callPage(page, 'tamperHeader', 'tampered-header')
    await callPage(page, 'open', 'tampered-body')
    await expect(callPage(page, 'unlock', PASSWORD)).rejects.toMatchObject({ name: 'WrongPasswordError', code: 'WRONG_PASSWORD' })
    await expect(callPage(page, 'open', 'tampered-header')).rejects.toMatchObject({ name: 'VaultFormatError', code: 'VAULT_FORMAT' })
  })

  it('creates and reopens a scrypt vault (the smallest parameters allowed)', async () => {
    const page = await browser.open('vault')
    const id = await callPage<string>(page, 'create', 'idb-scrypt', PASSWORD, SCRYPT, MNEMONIC)
    expect(await callPage(page, 'storedKdf', 'idb-scrypt')).toBe('scrypt')
    await page.reload()
    await callPage(page, 'open', 'idb-scrypt')
    await expect(callPage(page, 'unlock', 'not the password')).rejects.toMatchObject({ code: 'WRONG_PASSWORD' })
    expect(await callPage(page, 'unlock', PASSWORD)).toBe(false)
    expect(await callPage(page, 'secretIds')).toEqual([id])
  })

  it('falls back to localStorage where IndexedDB is missing', async () => {
    const page = await browser.open('vault')
    await callPage(page, 'withoutIndexedDb')
    const id = await callPage<string>(page, 'create', 'ls-vault', PASSWORD, PBKDF2, MNEMONIC)
    const stored = await page.evaluate<string | null>(`localStorage.getItem(${JSON.stringify(`ls-vault:${VAULT_KEY}`)})`)
    expect(JSON.parse(stored ?? 'null')).toMatchObject({ format: 'coffer-vault', version: 1 })

    await page.reload()
    // With IndexedDB back, nothing was ever written there.
    expect(await page.evaluate('indexedDB.databases().then((list) => list.map((d) => d.name))')).not.toContain('ls-vault')
    await callPage(page, 'withoutIndexedDb')
    await callPage(page, 'open', 'ls-vault')
    expect(await callPage(page, 'unlock', PASSWORD)).toBe(false)
    expect(await callPage(page, 'secretIds')).toEqual([id])
  })

  it('hands out signers for every chain family: the addresses Node derives, signatures that verify', async () => {
    const page = await browser.open('vault')
    const id = await callPage<string>(page, 'create', 'signers', PASSWORD, PBKDF2, MNEMONIC)
    const got = await callPage<Record<string, { address: string; publicKey: string; signature: string }>>(page, 'signers', id)
    const seed = await mnemonicToSeed(MNEMONIC)
    for (const chain of CHAINS) {
      const expected = deriveAccount(seed, { chain })
      const signer = got[chain]!
      expect(signer.address, chain).toBe(expected.address)
      expect(signer.publicKey, chain).toBe(Buffer.from(expected.publicKey).toString('hex'))
      const signature = Buffer.from(signer.signature, 'hex')
      const valid =
        chain === 'solana'
          ? ed25519.verify(signature, MESSAGE, expected.publicKey)
          : secp256k1.verify(signature, MESSAGE, expected.publicKey, { prehash: false })
      expect(valid, chain).toBe(true)
    }
    await expect(callPage(page, 'signAfterLock', id)).rejects.toMatchObject({ name: 'VaultLockedError', code: 'VAULT_LOCKED' })
  })

  it('formats and parses payment URIs as Node does, and draws QR codes that decode to them', async () => {
    const page = await browser.open('vault')
    const seed = await mnemonicToSeed(MNEMONIC)
    const requests: PaymentRequest[] = [
      {
        scheme: 'ethereum',
        chainId: 'eip155:1',
        to: deriveAccount(seed, { chain: 'evm' }).address,
        asset: 'eip155:1/erc20:0xdac17f958d2ee523a2206206994597c13d831ec7',
        amount: 12_500_000n,
      },
      {
        scheme: 'bitcoin',
        chainId: 'bip122:000000000019d6689c085ae165831e93',
        to: deriveAccount(seed, { chain: 'bitcoin' }).address,
        asset: 'bip122:000000000019d6689c085ae165831e93/slip44:0',
        amount: 50_000_000n,
        label: 'Café',
      },
    ]
    for (const request of requests) {
      const expected = formatPaymentUri(request)
      const { uri, parsed } = await callPage<{ uri: string; parsed: Record<string, unknown> }>(page, 'paymentUri', {
        ...request,
        amount: request.amount?.toString(),
      })
      expect(uri).toBe(expected)
      expect(parsed).toEqual({ ...request, amount: request.amount?.toString() })
      expect(await callPage(page, 'qr', uri)).toEqual({ shownInPage: true, decoded: uri })
    }
  })
})
