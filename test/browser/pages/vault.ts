/**
 * Browser page for test/browser/vault.test.ts: the vault in IndexedDB (or localStorage),
 * signers of every chain family, payment URIs and their QR codes, all through the built
 * `coffer` package. Each function returns plain data; bigints cross as strings.
 */
import {
  Vault,
  VAULT_KEY,
  browserStorage,
  formatPaymentUri,
  parsePaymentUri,
  parseVaultFile,
  paymentQr,
  type KdfOptions,
  type PaymentRequest,
  type Signer,
} from 'coffer'
import jsQR from 'jsqr'
import { expose } from './expose.js'

/**
 * The few DOM calls this page makes, typed here: a `/// <reference lib="dom" />` would give
 * the whole program (src and the Node tests too) the DOM's globals.
 */
interface Dom {
  document: {
    body: { append(node: unknown): void }
    createElement(tag: 'figure'): { innerHTML: string; querySelector(selector: string): unknown }
    createElement(tag: 'canvas'): {
      width: number
      height: number
      getContext(kind: '2d'): {
        fillStyle: string
        fillRect(x: number, y: number, w: number, h: number): void
        drawImage(image: unknown, x: number, y: number, w: number, h: number): void
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray }
      } | null
    }
  }
  Image: new () => { src: string; decode(): Promise<void> }
}
const { document, Image } = globalThis as unknown as Dom

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
const CHAINS = ['evm', 'bitcoin', 'solana', 'tron'] as const
/** What the signers sign: 32 bytes 1..32 (a digest for ECDSA, the message for ed25519). */
const MESSAGE = Uint8Array.from({ length: 32 }, (_, i) => i + 1)

let vault: Vault | undefined
const current = (): Vault => {
  if (!vault) throw new Error('No vault on this page yet.')
  return vault
}

/** Hides IndexedDB (as some private modes and old webviews do), so browserStorage falls back to localStorage. */
function withoutIndexedDb(): void {
  Object.defineProperty(globalThis, 'indexedDB', { value: undefined, configurable: true })
}

/** Rewrites the stored vault with `change` applied to its JSON. */
async function rewrite(name: string, change: (json: Record<string, unknown>) => void): Promise<void> {
  const storage = browserStorage(name)
  const text = await storage.get(VAULT_KEY)
  if (text === undefined) throw new Error(`No vault stored under ${name}.`)
  const json = JSON.parse(text) as Record<string, unknown>
  change(json)
  await storage.set(VAULT_KEY, JSON.stringify(json))
}

async function sign(signer: Signer): Promise<string> {
  if (signer.curve === 'ed25519') return hex(await signer.signMessage(MESSAGE))
  const { r, s } = await signer.signDigest(MESSAGE)
  return r.toString(16).padStart(64, '0') + s.toString(16).padStart(64, '0')
}

expose({
  withoutIndexedDb,
  /** Vault.create in browserStorage(name), with one mnemonic; returns the secret's id. */
  async create(name: string, password: string, kdf: KdfOptions, mnemonic: string) {
    vault = await Vault.create({ storage: browserStorage(name), password, kdf })
    return (await vault.addMnemonic({ mnemonic })).id
  },
  /** Vault.open on browserStorage(name); returns whether it is locked. */
  async open(name: string) {
    vault = await Vault.open({ storage: browserStorage(name) })
    return vault.isLocked
  },
  async unlock(password: string) {
    await current().unlock(password)
    return current().isLocked
  },
  lock() {
    current().lock()
    return current().isLocked
  },
  secretIds: () =>
    current()
      .listSecrets()
      .map((s) => s.id),
  /** The stored vault's KDF name, read back from storage. */
  async storedKdf(name: string) {
    const text = await browserStorage(name).get(VAULT_KEY)
    return text === undefined ? undefined : parseVaultFile(text).kdf.name
  },
  /** Address, public key and a signature over MESSAGE of account 0 of each chain family. */
  async signers(secretId: string) {
    const out: Record<string, { address: string; publicKey: string; signature: string }> = {}
    for (const chain of CHAINS) {
      const signer = await current().getSigner({ secretId, chain })
      out[chain] = { address: signer.address, publicKey: hex(signer.publicKey), signature: await sign(signer) }
    }
    return out
  },
  /** Takes an EVM signer, locks the vault, and signs with it (a locked vault's signer must refuse). */
  async signAfterLock(secretId: string) {
    const signer = await current().getSigner({ secretId, chain: 'evm' })
    current().lock()
    return sign(signer)
  },
  /** Flips one bit of the stored ciphertext (AES-GCM must notice). */
  tamperCiphertext: (name: string) =>
    rewrite(name, (json) => {
      const bytes = Uint8Array.from(atob(json.ciphertext as string), (c) => c.charCodeAt(0))
      bytes[5] = bytes[5]! ^ 0x10
      json.ciphertext = btoa(String.fromCharCode(...bytes))
    }),
  /** Adds a field to the stored header (the strict parser must refuse it). */
  tamperHeader: (name: string) =>
    rewrite(name, (json) => {
      json.note = 'added by someone'
    }),
  /** formatPaymentUri, then parsePaymentUri of the result (amount as a string both ways). */
  paymentUri(request: Omit<PaymentRequest, 'amount'> & { amount?: string }) {
    const uri = formatPaymentUri({ ...request, ...(request.amount === undefined ? {} : { amount: BigInt(request.amount) }) })
    const parsed = parsePaymentUri(uri)
    return { uri, parsed: { ...parsed, amount: parsed.amount?.toString() } }
  },
  /** paymentQr's SVG, shown in the page, then drawn on a canvas and decoded with jsQR. */
  async qr(uri: string) {
    const svg = await paymentQr(uri, { margin: 4 })
    const figure = document.createElement('figure')
    figure.innerHTML = svg
    document.body.append(figure)
    const shown = figure.querySelector('svg')
    const image = new Image()
    const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }))
    try {
      image.src = url
      await image.decode()
    } finally {
      URL.revokeObjectURL(url)
    }
    const size = 400
    const canvas = document.createElement('canvas')
    canvas.width = canvas.height = size
    const context = canvas.getContext('2d')!
    context.fillStyle = '#fff'
    context.fillRect(0, 0, size, size)
    context.drawImage(image, 0, 0, size, size)
    const pixels = context.getImageData(0, 0, size, size)
    return { shownInPage: shown !== null, decoded: jsQR(pixels.data, size, size)?.data }
  },
})
