/**
 * What every command works with: the global flags, the checked config, the wallet's storage
 * (`fileStorage(path)`: the vault is the file at `path`, the journal, policy records and wallet
 * record are its siblings `path.<key>`), the chain adapters, the password (asked once per run)
 * and the wallet itself.
 * @module
 * @internal
 */
import { statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { ChainId } from '../core/caip.js'
import type { ChainAdapter } from '../chains/adapter.js'
import { VaultNotFoundError } from '../core/errors.js'
import { fileStorage } from '../vault/file-storage.js'
import type { KdfOptions } from '../vault/kdf.js'
import { VAULT_KEY, type VaultStorage } from '../vault/storage.js'
import { Vault } from '../vault/vault.js'
import { Wallet } from '../wallet/wallet.js'
import { buildAdapters, noChainsConfigured, priceSource } from './chains.js'
import { loadConfig, type CliConfig } from './config.js'
import { Output, usage } from './output.js'
import { walletPassword } from './password.js'

/** The default wallet file (relative to the working directory). */
const DEFAULT_VAULT = 'coffer-wallet'

/** The kind of file system entry at `path`, or `missing`. */
function entryAt(path: string): 'file' | 'folder' | 'other' | 'missing' {
  try {
    const stat = statSync(path)
    return stat.isDirectory() ? 'folder' : stat.isFile() ? 'file' : 'other'
  } catch {
    return 'missing'
  }
}

/**
 * Checks the wallet path before anything opens it: it names a file (existing or not) in an
 * existing folder, because the journal and records are written beside it as `<path>.<key>`.
 * `source` says where the path came from, for the message. @throws CliError (exit 2)
 */
function checkVaultPath(path: string, source: string): void {
  const at = entryAt(path)
  if (at === 'folder') {
    throw usage(
      `${source} ${path} is a folder, but it names the wallet file (its journal and records are kept beside it as ${path}.<record>): give a file path such as ${resolve(path, 'wallet')}.`,
    )
  }
  if (at === 'other') throw usage(`${source} ${path} is not a regular file; it names the wallet file.`)
  const folder = dirname(path)
  const parent = entryAt(folder)
  if (parent === 'missing')
    throw usage(
      `The folder ${folder} of the wallet file (${source} ${path}) does not exist: create it first (mkdir -p ${folder}) or choose another path.`,
    )
  if (parent !== 'folder') throw usage(`${folder} is not a folder, so the wallet file (${source} ${path}) cannot be kept there.`)
}

/** The environment variable choosing the KDF of new vaults: `scrypt` (default) or `pbkdf2`. */
const KDF_ENV = 'COFFER_KDF'

/** The global flags, as commander hands them over. */
export interface GlobalOptions {
  readonly config?: string
  readonly vault?: string
  readonly passwordFile?: string
  readonly json?: boolean
  readonly debug?: boolean
  readonly yes?: boolean
  readonly rpc?: readonly string[]
}

/** The run's shared state. */
export class Context {
  readonly options: GlobalOptions
  readonly out: Output
  readonly config: CliConfig
  readonly vaultPath: string
  readonly storage: VaultStorage
  #adapters: Promise<ChainAdapter[]> | undefined
  #password: string | undefined

  constructor(options: GlobalOptions, out: Output) {
    this.options = options
    this.out = out
    this.config = loadConfig({ file: options.config, rpc: options.rpc })
    this.vaultPath = options.vault !== undefined ? resolve(options.vault) : (this.config.vault ?? resolve(DEFAULT_VAULT))
    checkVaultPath(
      this.vaultPath,
      options.vault !== undefined
        ? '--vault'
        : this.config.vault !== undefined
          ? `"vault" of ${this.config.file ?? 'the config'}:`
          : 'The default wallet file',
    )
    this.storage = fileStorage(this.vaultPath)
  }

  /** `--yes` was given. */
  get yes(): boolean {
    return this.options.yes === true
  }

  /** Adapters of every configured chain (made once). */
  adapters(): Promise<ChainAdapter[]> {
    this.#adapters ??= buildAdapters(this.config, this.storage)
    return this.#adapters
  }

  /** The adapter of a configured chain. */
  async adapter(chainId: ChainId): Promise<ChainAdapter> {
    const adapter = (await this.adapters()).find((a) => a.chainId === chainId)
    if (!adapter) throw usage(`No configured chain ${chainId}.`)
    return adapter
  }

  /** The KDF for new vaults: `COFFER_KDF=pbkdf2` picks PBKDF2-HMAC-SHA256 (600,000 iterations), else scrypt. */
  kdf(): KdfOptions | undefined {
    const value = process.env[KDF_ENV]
    if (value === undefined || value === '' || value === 'scrypt') return undefined
    if (value === 'pbkdf2') return { name: 'pbkdf2-sha256' }
    throw usage(`${KDF_ENV} must be "scrypt" or "pbkdf2", got "${value.slice(0, 20)}".`)
  }

  /** The wallet password, asked at most once per run. */
  async password(options: { isNew?: boolean } = {}): Promise<string> {
    this.#password ??= await walletPassword({ passwordFile: this.options.passwordFile, ...options })
    return this.#password
  }

  /** True when a vault exists at the wallet path. */
  async vaultExists(): Promise<boolean> {
    return (await this.storage.get(VAULT_KEY)) !== undefined
  }

  /** The wallet, locked (no password needed for balances and addresses already known). Exit 2 when no chain is configured. */
  async wallet(): Promise<Wallet> {
    if (this.config.chains.length === 0) throw (await this.vaultExists()) ? noChainsConfigured(this.config) : this.#noWallet()
    const chains = await this.adapters()
    try {
      return await Wallet.open({
        storage: this.storage,
        chains,
        ...(this.config.policy ? { policy: this.config.policy } : {}),
        ...(this.config.prices ? { priceSource: priceSource(this.config) as NonNullable<ReturnType<typeof priceSource>> } : {}),
        currency: this.config.currency,
      })
    } catch (error) {
      throw this.#notFound(error)
    }
  }

  /** The wallet, unlocked with the password. */
  async unlockedWallet(): Promise<Wallet> {
    const wallet = await this.wallet()
    await wallet.unlock(await this.password())
    return wallet
  }

  /** The vault alone, unlocked (for imports and offline signing). */
  async unlockedVault(): Promise<Vault> {
    let vault: Vault
    try {
      vault = await Vault.open({ storage: this.storage })
    } catch (error) {
      throw this.#notFound(error)
    }
    await vault.unlock(await this.password())
    return vault
  }

  #notFound(error: unknown): unknown {
    return error instanceof VaultNotFoundError ? this.#noWallet() : error
  }

  #noWallet(): Error {
    return usage(
      `No wallet at ${this.vaultPath}: create one with "coffer init" (or "coffer import mnemonic"), or point --vault at its file.`,
    )
  }
}
