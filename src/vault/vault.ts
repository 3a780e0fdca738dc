/**
 * The Vault: the one place coffer keeps seeds and private keys. Encrypted at rest
 * (AES-256-GCM under a scrypt/PBKDF2 key, fresh salt and IV on every save), unlocked by a
 * password, handing out Signers instead of key bytes. `lock()` zeroes every secret buffer
 * and revokes every signer it lent.
 *
 * Writes are group-committed: concurrent changes are applied together and saved once, in
 * call order, and the in-memory state changes only after the save succeeded.
 *
 * Writes are also compare-and-swap, across processes (vault-save.ts): each save runs under
 * `updateStorage` (for fileStorage, a lock shared with other processes). When the stored
 * text is still the one this instance last read or wrote, the queued changes are sealed as
 * usual (one KDF run, done before taking the lock). When another process wrote in between, the
 * stored vault is opened with this instance's password (a second KDF run), the queued changes
 * are replayed on top of it, and that is saved: nothing the other process added is lost. When
 * it no longer opens with this password (the password was changed elsewhere), was deleted, or
 * belongs to another vault, nothing is written: the queued changes fail with
 * StorageConflictError and the vault locks, so a stale password can never overwrite a newer one.
 * @module
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import { assertOptions, describe, isIntegerIn } from '../core/assert.js'
import {
  InvalidArgumentError,
  SecretNotFoundError,
  VaultExistsError,
  VaultLockedError,
  VaultNotFoundError,
  WrongPasswordError,
} from '../core/errors.js'
import { entropyToMnemonic, generateMnemonic, mnemonicToEntropy, mnemonicToSeed, type MnemonicLength } from '../keys/mnemonic.js'
import { INSPECT, REDACTED } from '../keys/redact.js'
import { KeyHandle, type AccountSigner, type Ed25519Signer, type Secp256k1Signer, type Signer } from '../keys/signer.js'
import { english } from '../keys/wordlists/english.js'
import type { Wordlist } from '../keys/wordlists/wordlist.js'
import { constantTimeEqual, randomBytes } from './crypto.js'
import { parseVaultFile, type VaultFile } from './format.js'
import { newKdf, type Kdf, type KdfOptions } from './kdf.js'
import { evmAddressFromPublicKey } from '../keys/address/evm.js'
import { seedAccountKey } from '../keys/hd-signers.js'
import type { ExportKeystoreOptions } from './keystore.js'
import { secretBuffers, secretInfo, type Secret, type SecretInfo } from './payload.js'
import { checkPurpose, sealerFrom, type Sealer } from './sealer.js'
import { parsePrivateKey } from './private-key.js'
import { accountSignerMaker, signerMaker, type GetAccountSignerOptions, type GetSignerOptions } from './signers.js'
import { VAULT_KEY, type VaultStorage } from './storage.js'
import { locksVault, saveVault, type SaveResult, type VaultChange } from './vault-save.js'
import { copySecret, openVaultText, wipeSecrets, type OpenedVault } from './vault-text.js'

/** Options of {@link Vault.create}. */
export interface VaultCreateOptions {
  storage: VaultStorage
  password: string
  /** Key derivation; default scrypt N=2^17, r=8, p=1. */
  kdf?: KdfOptions
  /** Lock automatically after this many ms without use. */
  autoLockMs?: number
}
/** Options of {@link Vault.open}. */
export interface VaultOpenOptions {
  storage: VaultStorage
  /** Lock automatically after this many ms without use. */
  autoLockMs?: number
}
/** Options of {@link Vault.addMnemonic}. */
export interface AddMnemonicOptions {
  /** The phrase; a new one is generated (platform CSPRNG) when absent. */
  mnemonic?: string
  /** Optional BIP-39 passphrase. It goes into the stored seed and is not itself kept. */
  passphrase?: string
  label?: string
  /** Wordlist of the phrase; default English. */
  language?: Wordlist
  /** Length of a generated phrase; default 12. */
  words?: MnemonicLength
}
/** Options of {@link Vault.addPrivateKey}. */
export interface AddPrivateKeyOptions {
  /** 32 bytes, or 64 hex digits (0x optional); for ed25519 also a 64-byte Solana secret key. */
  privateKey: Uint8Array | string
  /** Default `'secp256k1'`. */
  curve?: 'secp256k1' | 'ed25519'
  label?: string
}

interface Unlocked {
  password: Uint8Array
  secrets: Map<string, Secret>
  /** Root of the record sealers (random, kept in the payload; the same across password changes). */
  dataKey: Uint8Array
  /** The stored text this state was read from or last saved as: the compare-and-swap base. */
  stored: string | undefined
  /** True while `dataKey` was made at unlock for a vault from before data keys and is not saved yet. */
  newDataKey: boolean
}
/** A queued change (see vault-save.ts). */
type Change = VaultChange
const MAX_PASSWORD = 1024
const MAX_LABEL = 200

/**
 * The password's bytes (UTF-8 of its NFKD form). Says which rule failed (not a string, empty,
 * too long) and never quotes the password or its length.
 * @throws InvalidArgumentError
 */
function passwordBytes(password: unknown, name = 'password'): Uint8Array {
  if (typeof password !== 'string') throw new InvalidArgumentError(`${name} must be a string, got ${describe(password)}.`)
  if (password.length === 0) throw new InvalidArgumentError(`${name} is empty; a vault needs a non-empty password.`)
  if (password.length > MAX_PASSWORD) throw new InvalidArgumentError(`${name} is longer than ${MAX_PASSWORD} characters.`)
  return new TextEncoder().encode(password.normalize('NFKD'))
}

function checkLabel(label: unknown): string | undefined {
  if (label === undefined) return undefined
  if (typeof label !== 'string' || label.length > MAX_LABEL)
    throw new InvalidArgumentError(`label must be a string of at most ${MAX_LABEL} characters.`)
  return label
}

function checkStorage(storage: unknown): VaultStorage {
  const s = storage as Partial<VaultStorage> | null
  if (!s || typeof s.get !== 'function' || typeof s.set !== 'function' || typeof s.delete !== 'function') {
    throw new InvalidArgumentError('storage must be a VaultStorage (memoryStorage(), fileStorage(path), browserStorage(name)).')
  }
  return s as VaultStorage
}

function checkAutoLock(ms: unknown): number | undefined {
  if (ms === undefined) return undefined
  if (!isIntegerIn(ms, 1, 2 ** 31 - 1)) {
    throw new InvalidArgumentError('autoLockMs must be a positive integer of milliseconds.')
  }
  return ms
}

const newId = () => bytesToHex(randomBytes(8))

/** An encrypted store of seeds and private keys that hands out Signers. Prints as `[redacted]`. */
export class Vault {
  readonly #storage: VaultStorage
  readonly #autoLockMs: number | undefined
  #kdf: Kdf
  #unlocked: Unlocked | undefined
  readonly #handles = new Map<KeyHandle, string>()
  #timer: ReturnType<typeof setTimeout> | undefined
  #queue: Change[] = []
  #flushing = false
  readonly #lockListeners = new Set<() => void>()

  private constructor(storage: VaultStorage, kdf: Kdf, autoLockMs: number | undefined) {
    this.#storage = storage
    this.#kdf = kdf
    this.#autoLockMs = autoLockMs
  }

  /**
   * Makes and saves a new, empty vault, and returns it unlocked. Refuses to overwrite an existing vault.
   * @throws VaultExistsError when the storage already holds a vault; InvalidArgumentError for bad
   *   options (an empty password, a storage that is not a VaultStorage, a KDF out of bounds); StorageError
   */
  static async create(options: VaultCreateOptions): Promise<Vault> {
    const opts = assertOptions(options)
    const storage = checkStorage(opts.storage)
    const password = passwordBytes(opts.password)
    const autoLockMs = checkAutoLock(opts.autoLockMs)
    const kdf = newKdf(opts.kdf, randomBytes(32))
    if ((await storage.get(VAULT_KEY)) !== undefined) throw new VaultExistsError()
    const vault = new Vault(storage, kdf, autoLockMs)
    vault.#unlocked = { password, secrets: new Map(), dataKey: randomBytes(32), stored: undefined, newDataKey: false }
    await vault.#enqueue({ create: true })
    vault.#touch()
    return vault
  }

  /** Reads the vault in `storage` and returns it locked. @throws VaultNotFoundError, VaultFormatError */
  static async open(options: VaultOpenOptions): Promise<Vault> {
    const opts = assertOptions(options)
    const storage = checkStorage(opts.storage)
    const autoLockMs = checkAutoLock(opts.autoLockMs)
    const file = await Vault.#read(storage)
    return new Vault(storage, file.kdf, autoLockMs)
  }

  static async #read(storage: VaultStorage): Promise<VaultFile> {
    const text = await storage.get(VAULT_KEY)
    if (text === undefined) throw new VaultNotFoundError()
    return parseVaultFile(text)
  }

  /** True while the vault is locked (its secrets are not in memory). */
  get isLocked(): boolean {
    return this.#unlocked === undefined
  }

  /**
   * Decrypts the vault with `password` and takes what is stored now as the in-memory state. On
   * a vault that is already unlocked it re-reads the storage (adopting changes other processes
   * saved); if `password` opens the stored vault but is not the one in memory (the password was
   * changed elsewhere), the vault locks and unlocks afresh.
   * @throws WrongPasswordError, VaultFormatError, VaultNotFoundError
   */
  async unlock(password: string): Promise<void> {
    const pw = passwordBytes(password)
    const text = await this.#storage.get(VAULT_KEY)
    let opened: OpenedVault
    try {
      if (text === undefined) throw new VaultNotFoundError()
      opened = await openVaultText(text, pw)
    } catch (error) {
      pw.fill(0)
      throw error
    }
    const current = this.#unlocked
    if (current) {
      const same = constantTimeEqual(pw, current.password)
      if (same) {
        // Already open (a concurrent unlock won, or a refresh): adopt what is stored under the save queue.
        wipeSecrets(opened.secrets)
        opened.dataKey?.fill(0)
        pw.fill(0)
        await this.#enqueue({ refresh: true })
        this.#touch()
        return
      }
      this.lock()
    }
    this.#kdf = opened.kdf
    this.#unlocked = {
      password: pw,
      secrets: new Map(opened.secrets.map((s) => [s.id, s])),
      dataKey: opened.dataKey ?? randomBytes(32),
      stored: text,
      newDataKey: !opened.dataKey,
    }
    // A vault from before data keys: store the new one now, or sealed records would not open next time.
    if (!opened.dataKey) {
      try {
        await this.#enqueue({})
      } catch (error) {
        this.lock()
        throw error
      }
    }
    this.#touch()
  }

  /** Zeroes every secret buffer and the password, and revokes every signer handed out. */
  lock(): void {
    const state = this.#unlocked
    if (!state) return
    this.#unlocked = undefined
    clearTimeout(this.#timer)
    this.#timer = undefined
    for (const handle of this.#handles.keys()) handle.revoke()
    this.#handles.clear()
    for (const secret of state.secrets.values()) for (const buffer of secretBuffers(secret)) buffer.fill(0)
    state.password.fill(0)
    state.dataKey.fill(0)
    for (const listener of this.#lockListeners) listener()
  }

  /** Calls `listener` whenever the vault locks (also by auto-lock). Returns an unsubscribe function. */
  onLock(listener: () => void): () => void {
    this.#lockListeners.add(listener)
    return () => this.#lockListeners.delete(listener)
  }

  /**
   * Re-encrypts under a new password (fresh salt and IV), atomically: until the new file is
   * stored, the old password keeps working. `kdf` may change the KDF at the same time.
   * @throws WrongPasswordError
   */
  async changePassword(oldPassword: string, newPassword: string, options: { kdf?: KdfOptions } = {}): Promise<void> {
    const next = passwordBytes(newPassword, 'newPassword')
    if (this.isLocked) await this.unlock(oldPassword)
    else this.#checkPassword(oldPassword)
    await this.#enqueue({ password: next, ...(assertOptions(options).kdf ? { kdf: options.kdf } : {}) })
  }

  /** Adds a mnemonic (generating one when absent); returns its public info. The same seed twice is stored once. */
  async addMnemonic(options: AddMnemonicOptions = {}): Promise<SecretInfo> {
    const opts = assertOptions(options)
    this.#state()
    const language = opts.language ?? english
    const label = checkLabel(opts.label)
    const phrase = opts.mnemonic ?? generateMnemonic({ language, ...(opts.words ? { words: opts.words } : {}) })
    const seed = await mnemonicToSeed(phrase, { language, ...(opts.passphrase === undefined ? {} : { passphrase: opts.passphrase }) })
    const entropy = mnemonicToEntropy(phrase, { language })
    const canonical = new TextEncoder().encode(entropyToMnemonic(entropy, { language }).normalize('NFKD'))
    entropy.fill(0)
    const secret: Secret = {
      id: newId(),
      kind: 'mnemonic',
      ...(label === undefined ? {} : { label }),
      createdAt: new Date().toISOString(),
      language: language.language,
      hasPassphrase: (opts.passphrase ?? '') !== '',
      phrase: canonical,
      seed,
    }
    return this.#add(secret, (s) => s.kind === 'mnemonic' && constantTimeEqual(s.seed, seed))
  }

  /** Adds a raw private key; returns its public info. The same key twice is stored once. */
  async addPrivateKey(options: AddPrivateKeyOptions): Promise<SecretInfo> {
    const opts = assertOptions(options)
    this.#state()
    const label = checkLabel(opts.label)
    const curve = opts.curve ?? 'secp256k1'
    const key = parsePrivateKey(opts.privateKey, curve)
    const secret: Secret = {
      id: newId(),
      kind: 'privateKey',
      ...(label === undefined ? {} : { label }),
      createdAt: new Date().toISOString(),
      curve,
      key,
    }
    return this.#add(secret, (s) => s.kind === 'privateKey' && s.curve === curve && constantTimeEqual(s.key, key))
  }

  /** Removes a secret; signers made from it stop working. @throws SecretNotFoundError */
  async removeSecret(id: string): Promise<void> {
    this.#secret(id)
    let removed: Secret | undefined
    await this.#enqueue({
      apply: (secrets) => {
        removed = secrets.get(id)
        secrets.delete(id)
      },
    })
    for (const [handle, secretId] of this.#handles) {
      if (secretId === id) {
        handle.revoke()
        this.#handles.delete(handle)
      }
    }
    if (removed) for (const buffer of secretBuffers(removed)) buffer.fill(0)
  }

  /** Public info about every secret: id, kind, label, createdAt — never the secret. @throws VaultLockedError */
  listSecrets(): SecretInfo[] {
    return [...this.#state().secrets.values()].map(secretInfo)
  }

  /** The mnemonic of a secret, after checking the password again. @throws WrongPasswordError, SecretNotFoundError */
  async revealMnemonic(id: string, password: string): Promise<string> {
    this.#checkPassword(password)
    const secret = this.#secret(id)
    if (secret.kind !== 'mnemonic') throw new InvalidArgumentError('This secret is a private key, not a mnemonic.', { details: { id } })
    this.#touch()
    return new TextDecoder().decode(secret.phrase)
  }

  /**
   * An EVM account key as Ethereum keystore v3 JSON (Web3 Secret Storage, scrypt) encrypted
   * under `keystorePassword`, after checking the vault password again (like revealMnemonic).
   * The account is `index` (default 0, path m/44'/60'/0'/0/index) of a mnemonic secret, or a
   * private-key secret itself (no index). The key never leaves the vault unencrypted.
   * @throws WrongPasswordError, VaultLockedError, SecretNotFoundError, InvalidArgumentError
   */
  async exportKeystore(
    account: { secretId: string; chain: 'evm'; index?: number },
    password: string,
    keystorePassword: string,
    options?: ExportKeystoreOptions,
  ): Promise<string> {
    const a = assertOptions(account, 'account')
    if (a.chain !== 'evm') throw new InvalidArgumentError(`Keystore v3 files hold EVM keys; chain must be "evm", got ${describe(a.chain)}.`)
    if (a.index !== undefined && !isIntegerIn(a.index, 0, 2 ** 31 - 1))
      throw new InvalidArgumentError('index must be an integer from 0 to 2^31 - 1.')
    this.#checkPassword(password)
    const secret = this.#secret(a.secretId as string)
    let key: Uint8Array
    if (secret.kind === 'mnemonic') {
      key = seedAccountKey(secret.seed, a.index === undefined ? {} : { index: a.index }, 'evm', evmAddressFromPublicKey).privateKey
    } else {
      if (a.index !== undefined)
        throw new InvalidArgumentError('index applies to mnemonic secrets; this secret is a single private key.', {
          details: { id: secret.id },
        })
      if (secret.curve !== 'secp256k1')
        throw new InvalidArgumentError('This secret is an ed25519 key; keystore v3 files hold secp256k1 keys.', {
          details: { id: secret.id },
        })
      key = secret.key.slice()
    }
    this.#touch()
    try {
      const { exportKeystore: encryptKeystore } = await import('./keystore.js')
      return await encryptKeystore(key, keystorePassword, options)
    } finally {
      key.fill(0)
    }
  }

  /**
   * A Signer for an account of a secret: derived from a mnemonic (same options and default
   * paths as `deriveAccount`) or the raw key itself. It stops working once the vault locks.
   * @throws VaultLockedError, SecretNotFoundError, InvalidArgumentError
   */
  async getSigner(options: GetSignerOptions & { chain: 'solana' }): Promise<Ed25519Signer>
  async getSigner(options: GetSignerOptions & { chain: 'evm' | 'bitcoin' | 'tron' }): Promise<Secp256k1Signer>
  async getSigner(options: GetSignerOptions): Promise<Signer>
  async getSigner(options: GetSignerOptions): Promise<Signer> {
    const opts = assertOptions(options)
    // The maker first (it may load its module): the secret is then read and lent in one synchronous step.
    const signerFor = await signerMaker(opts.chain)
    const secret = this.#secret(opts.secretId as string)
    const signer = signerFor(
      secret,
      opts as GetSignerOptions,
      (key) => this.#lend(key, secret.id),
      () => this.#touch(),
    )
    this.#touch()
    return signer
  }

  /**
   * A signer for a whole Bitcoin HD account of a mnemonic secret (BIP-44/49/84/86 by address
   * type): its descriptor and xpub, and signers for every child key. Stops when the vault locks.
   * @throws VaultLockedError, SecretNotFoundError, InvalidArgumentError
   */
  async getAccountSigner(options: GetAccountSignerOptions): Promise<AccountSigner> {
    const opts = assertOptions(options)
    const accountSignerFor = await accountSignerMaker()
    const secret = this.#secret(opts.secretId as string)
    const signer = accountSignerFor(
      secret,
      opts as GetAccountSignerOptions,
      (key) => this.#lend(key, secret.id),
      () => this.#touch(),
    )
    this.#touch()
    return signer
  }

  #lend(key: Uint8Array, secretId: string): KeyHandle {
    if (!this.#unlocked) {
      key.fill(0)
      throw new VaultLockedError()
    }
    const handle = new KeyHandle(
      key,
      () => new VaultLockedError('The vault is locked; this signer no longer works. Unlock and get a new signer.'),
    )
    this.#handles.set(handle, secretId)
    return handle
  }

  /**
   * A sealer for records of one `purpose` (`'journal'`, `'policy'`, …): AES-256-GCM under a key
   * derived from the vault's data key, which never leaves the vault. It works while the vault is
   * unlocked and throws VaultLockedError after `lock()`. Password changes do not affect it.
   */
  sealer(purpose: string): Sealer {
    const p = checkPurpose(purpose)
    this.#state()
    return sealerFrom(p, async (use) => {
      const copy = this.#state().dataKey.slice()
      this.#touch()
      try {
        return await use(copy)
      } finally {
        copy.fill(0)
      }
    })
  }

  /** Imports a MetaMask extension vault's HD and simple-key keyrings as secrets; returns their info. */
  async importMetaMask(vault: string | object, password: string): Promise<SecretInfo[]> {
    this.#state()
    const { importMetaMaskVault } = await import('./metamask.js')
    const keyrings = await importMetaMaskVault(vault, password)
    const added: SecretInfo[] = []
    for (const keyring of keyrings) {
      if (keyring.type === 'HD Key Tree' && 'mnemonic' in keyring) {
        added.push(await this.addMnemonic({ mnemonic: keyring.mnemonic, label: 'MetaMask' }))
      } else if (keyring.type === 'Simple Key Pair' && 'privateKeys' in keyring) {
        for (const privateKey of keyring.privateKeys) added.push(await this.addPrivateKey({ privateKey, label: 'MetaMask imported key' }))
      }
    }
    return added
  }

  #state(): Unlocked {
    if (!this.#unlocked) throw new VaultLockedError()
    return this.#unlocked
  }

  #secret(id: string): Secret {
    if (typeof id !== 'string') throw new InvalidArgumentError(`secretId must be a string, got ${describe(id)}.`)
    const secret = this.#state().secrets.get(id)
    if (!secret)
      throw new SecretNotFoundError(`No secret with id "${id.slice(0, 40)}" in this vault.`, { details: { id: id.slice(0, 40) } })
    return secret
  }

  /** Checks the vault password (constant time) without unlocking anything. @throws WrongPasswordError, VaultLockedError */
  verifyPassword(password: string): void {
    this.#checkPassword(password)
    this.#touch()
  }

  #checkPassword(password: string): void {
    const given = passwordBytes(password)
    try {
      if (!constantTimeEqual(given, this.#state().password)) throw new WrongPasswordError('Wrong password.')
    } finally {
      given.fill(0)
    }
  }

  /** Restarts the auto-lock timer. A save in progress (which may wait for another process's lock) postpones the auto-lock: it is use. */
  #touch(): void {
    if (this.#autoLockMs === undefined || !this.#unlocked) return
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => (this.#flushing ? this.#touch() : this.lock()), this.#autoLockMs)
    ;(this.#timer as { unref?: () => void }).unref?.()
  }

  async #add(secret: Secret, same: (existing: Secret) => boolean): Promise<SecretInfo> {
    let result: unknown
    try {
      result = await this.#enqueue({
        apply: (secrets) => {
          const existing = [...secrets.values()].find(same)
          if (existing) return existing
          secrets.set(secret.id, secret)
          return secret
        },
      })
    } catch (error) {
      // Not saved, so not kept: its buffers are zeroed like everything the vault lets go of.
      wipeSecrets([secret])
      throw error
    }
    const stored = result as Secret
    if (stored !== secret) for (const buffer of secretBuffers(secret)) buffer.fill(0)
    this.#touch()
    return secretInfo(stored)
  }

  #enqueue(change: Omit<Change, 'resolve' | 'reject'>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ ...change, resolve, reject })
      void this.#flush()
    })
  }

  /** Group commit: every queued change is saved in one compare-and-swap, then published or rejected together. */
  async #flush(): Promise<void> {
    if (this.#flushing) return
    this.#flushing = true
    try {
      while (this.#queue.length > 0) await this.#commit(this.#queue.splice(0))
    } finally {
      this.#flushing = false
    }
  }

  /** Saves one batch (see vault-save.ts): compare-and-swap against the stored text, replaying the changes on what another writer stored. */
  async #commit(batch: Change[]): Promise<void> {
    const state = this.#unlocked
    if (!state) {
      for (const change of batch) change.reject(new VaultLockedError())
      return
    }
    // Copies, taken before the first await: lock() zeroes the state's buffers, maybe mid-save.
    const copies = [...state.secrets.values()].map(copySecret)
    const base = {
      secrets: new Map(copies.map((s) => [s.id, s])),
      dataKey: state.dataKey.slice(),
      kdf: this.#kdf,
      newDataKey: state.newDataKey,
    }
    const made = { secrets: copies, dataKeys: [base.dataKey] }
    const password = state.password.slice()
    let savePassword: Uint8Array = password
    let chosenKdf: Kdf | undefined
    const changes: Change[] = []
    for (const change of batch) {
      try {
        if (change.kdf) chosenKdf = newKdf(change.kdf, randomBytes(32))
      } catch (error) {
        change.reject(error)
        continue
      }
      if (change.password) savePassword = change.password
      changes.push(change)
    }
    let result: SaveResult
    try {
      result = await saveVault({ storage: this.#storage, stored: state.stored, base, password, savePassword, chosenKdf, changes, made })
    } catch (error) {
      for (const change of changes) change.reject(error)
      wipeSecrets(made.secrets)
      for (const buffer of [...made.dataKeys, password]) buffer.fill(0)
      for (const change of changes) change.password?.fill(0)
      if (locksVault(error) && this.#unlocked === state) this.lock()
      return
    }
    // Passwords of earlier changes in the batch that a later one replaced.
    for (const change of changes) if (change.password && change.password !== savePassword) change.password.fill(0)
    this.#publish(state, result, savePassword, made)
    if (savePassword !== password) password.fill(0)
    for (const change of changes) {
      if (result.failed.has(change)) change.reject(result.failed.get(change))
      else change.resolve(result.results.get(change))
    }
  }

  /** Makes a save's result the in-memory state (if the vault is still unlocked as it was) and zeroes every buffer left over. */
  #publish(state: Unlocked, result: SaveResult, password: Uint8Array, made: { secrets: Secret[]; dataKeys: Uint8Array[] }): void {
    const kept = new Set<Secret>()
    if (this.#unlocked === state && result.changed) {
      this.#unlocked = { password, secrets: result.secrets, dataKey: result.dataKey, stored: result.text, newDataKey: result.newDataKey }
      this.#kdf = result.kdf
      for (const secret of result.secrets.values()) kept.add(secret)
      // The state now holds copies: zero the old buffers, and revoke signers of secrets removed elsewhere.
      wipeSecrets(state.secrets.values())
      state.password.fill(0)
      state.dataKey.fill(0)
      for (const [handle, secretId] of this.#handles) {
        if (!result.secrets.has(secretId)) {
          handle.revoke()
          this.#handles.delete(handle)
        }
      }
    } else if (this.#unlocked !== state) {
      // Locked (or unlocked afresh) while saving: the save stands, but nothing stays in memory from it.
      wipeSecrets(result.secrets.values())
    } // else: a refresh that found nothing new keeps the state as it is.
    wipeSecrets(made.secrets.filter((s) => !kept.has(s)))
    for (const dataKey of made.dataKeys) if (this.#unlocked?.dataKey !== dataKey) dataKey.fill(0)
    if (this.#unlocked?.password !== password) password.fill(0)
  }

  /** `{ type: 'Vault', locked, secrets }` — never a secret. */
  toJSON(): Record<string, unknown> {
    return { type: 'Vault', locked: this.isLocked, secrets: this.#unlocked ? this.#unlocked.secrets.size : REDACTED }
  }
  /** `Vault(locked) [redacted]`. */
  toString(): string {
    return `Vault(${this.isLocked ? 'locked' : 'unlocked'}) ${REDACTED}`
  }
}

// util.inspect / console.log show the redacted form (defined outside the class so no symbol leaks into the types).
Object.defineProperty(Vault.prototype, INSPECT, {
  value(this: Vault) {
    return this.toString()
  },
})
