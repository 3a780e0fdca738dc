/**
 * `coffer import mnemonic | keystore <file> | metamask <file>`: brings secrets into the wallet.
 * A mnemonic is read from a prompt without echo or from stdin, never from the command line.
 * The imported thing is asked for first (its phrase or its file's password), the wallet
 * password second; where no wallet exists yet, a mnemonic restores one and the other imports
 * create a vault (wallet commands then need a mnemonic in it: `coffer import mnemonic`).
 * @module
 * @internal
 */
import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { WrongPasswordError } from '../../core/errors.js'
import { validateMnemonic } from '../../keys/mnemonic.js'
import { importKeystore } from '../../vault/keystore.js'
import { importMetaMaskVault } from '../../vault/metamask.js'
import type { SecretInfo } from '../../vault/payload.js'
import { Vault } from '../../vault/vault.js'
import type { Context } from '../context.js'
import { accountJson } from '../format.js'
import { CliError, EXIT, usage } from '../output.js'
import { filePassword } from '../password.js'
import { askSecret, requireSecret } from '../prompt.js'
import type { Action } from './action.js'
import { createWallet, printAccounts } from './init.js'

const MAX_FILE = 16 * 1024 * 1024

async function readJsonFile(path: string, what: string): Promise<string> {
  try {
    const text = await readFile(path, 'utf8')
    if (text.length > MAX_FILE) throw usage(`${path} is too large for a ${what}.`)
    return text
  } catch (cause) {
    if (cause instanceof CliError) throw cause
    throw usage(`Cannot read ${what} ${path}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}.`)
  }
}

/** The vault, unlocked; a new one (new password) when none exists yet. */
async function vaultForImport(ctx: Context): Promise<{ vault: Vault; created: boolean }> {
  if (await ctx.vaultExists()) return { vault: await ctx.unlockedVault(), created: false }
  const kdf = ctx.kdf()
  const vault = await Vault.create({ storage: ctx.storage, password: await ctx.password({ isNew: true }), ...(kdf ? { kdf } : {}) })
  return { vault, created: true }
}

/** The EVM address of a secret (account 0 of a mnemonic), for people to recognise it. */
async function evmAddressOf(vault: Vault, secret: SecretInfo): Promise<string | undefined> {
  if (secret.kind === 'privateKey' && secret.curve !== 'secp256k1') return undefined
  const signer = await vault.getSigner({ secretId: secret.id, chain: 'evm', ...(secret.kind === 'mnemonic' ? { index: 0 } : {}) })
  return signer.address
}

function wrongFilePassword(error: unknown, what: string): unknown {
  return error instanceof WrongPasswordError
    ? new CliError(EXIT.LOCKED, `Wrong ${what} password (or the file was modified).`, { code: 'WRONG_PASSWORD' })
    : error
}

export function register(program: Command, action: Action): void {
  const group = program.command('import').description('import a mnemonic, an Ethereum keystore or a MetaMask vault')

  group
    .command('mnemonic')
    .description('restore a wallet from a mnemonic, or add one to the wallet (the phrase is read from a prompt or stdin)')
    .option('--with-passphrase', 'also ask for a BIP-39 passphrase')
    .action(
      action(async (ctx, _args, opts: { withPassphrase?: boolean }) => {
        const phrase = (
          await requireSecret(
            'Mnemonic (words separated by spaces)',
            'No mnemonic given: type it at the prompt or pipe it on stdin (never as an argument).',
          )
        )
          .trim()
          .split(/\s+/)
          .join(' ')
          .toLowerCase()
        if (!validateMnemonic(phrase)) throw usage('That is not a valid BIP-39 mnemonic (word count, an unknown word or the checksum).')
        const passphrase = opts.withPassphrase ? await askSecret('BIP-39 passphrase', { confirmTwice: true }) : undefined
        if (!(await ctx.vaultExists())) {
          const wallet = await createWallet(ctx, phrase, passphrase)
          wallet.lock()
          ctx.out.result({ created: true, restored: true, vault: ctx.vaultPath, accounts: wallet.accounts().map(accountJson) }, () => {
            ctx.out.print(`Restored a wallet at ${ctx.vaultPath}.`)
            printAccounts(ctx, wallet)
          })
          return
        }
        const vault = await ctx.unlockedVault()
        const info = await vault.addMnemonic({ mnemonic: phrase, ...(passphrase ? { passphrase } : {}), label: 'imported' })
        const address = await evmAddressOf(vault, info)
        vault.lock()
        ctx.out.result({ created: false, secret: { id: info.id, kind: info.kind, label: info.label }, evmAddress: address }, () => {
          ctx.out.print(`Added the mnemonic to ${ctx.vaultPath} as secret ${info.id} (EVM account 0: ${address}).`)
        })
      }),
    )

  group
    .command('keystore')
    .description('add the private key of an Ethereum keystore v3 file (asks the keystore password)')
    .argument('<file>', 'the keystore JSON file')
    .option('--keystore-password-file <file>', 'read the keystore password from this file')
    .action(
      action(async (ctx, [file], opts: { keystorePasswordFile?: string }) => {
        const json = await readJsonFile(file as string, 'keystore')
        const password = await filePassword({
          file: opts.keystorePasswordFile,
          flag: '--keystore-password-file',
          message: 'Keystore password',
        })
        const imported = await importKeystore(json, password).catch((error: unknown) => {
          throw wrongFilePassword(error, 'keystore')
        })
        try {
          const { vault, created } = await vaultForImport(ctx)
          const info = await vault.addPrivateKey({ privateKey: imported.privateKey, label: `keystore ${imported.address}` })
          vault.lock()
          ctx.out.result({ created, address: imported.address, secret: { id: info.id, kind: info.kind, label: info.label } }, () => {
            ctx.out.print(`Added the key of ${imported.address} to ${ctx.vaultPath} as secret ${info.id}.`)
            if (created) ctx.out.note('This new vault holds no mnemonic yet; wallet commands need one (coffer import mnemonic).')
          })
        } finally {
          imported.privateKey.fill(0)
        }
      }),
    )

  group
    .command('metamask')
    .description("add the mnemonic and keys of a MetaMask extension vault (asks MetaMask's password)")
    .argument('<file>', "the vault JSON (the extension's encrypted { data, iv, salt } object)")
    .option('--metamask-password-file <file>', 'read the MetaMask password from this file')
    .action(
      action(async (ctx, [file], opts: { metamaskPasswordFile?: string }) => {
        const json = await readJsonFile(file as string, 'MetaMask vault')
        const password = await filePassword({
          file: opts.metamaskPasswordFile,
          flag: '--metamask-password-file',
          message: 'MetaMask password',
        })
        const keyrings = await importMetaMaskVault(json, password).catch((error: unknown) => {
          throw wrongFilePassword(error, 'MetaMask')
        })
        const { vault, created } = await vaultForImport(ctx)
        const added: { id: string; kind: string; label?: string; evmAddress?: string }[] = []
        let skipped = 0
        for (const keyring of keyrings) {
          const infos: SecretInfo[] = []
          if (keyring.supported && 'mnemonic' in keyring)
            infos.push(await vault.addMnemonic({ mnemonic: keyring.mnemonic, label: 'MetaMask' }))
          else if (keyring.supported && 'privateKeys' in keyring) {
            for (const key of keyring.privateKeys) {
              infos.push(await vault.addPrivateKey({ privateKey: key, label: 'MetaMask imported key' }))
              key.fill(0)
            }
          } else skipped++
          for (const info of infos) {
            const evmAddress = await evmAddressOf(vault, info)
            added.push({
              id: info.id,
              kind: info.kind,
              ...(info.label ? { label: info.label } : {}),
              ...(evmAddress ? { evmAddress } : {}),
            })
          }
        }
        vault.lock()
        ctx.out.result({ created, added, skippedKeyrings: skipped }, () => {
          ctx.out.print(`Imported ${added.length} secret${added.length === 1 ? '' : 's'} into ${ctx.vaultPath}.`)
          if (added.length)
            ctx.out.print(
              ctx.out.table(
                ['Secret', 'Kind', 'EVM address'],
                added.map((a) => [a.id, a.kind, a.evmAddress ?? '']),
              ),
            )
          if (skipped)
            ctx.out.note(`${skipped} keyring${skipped === 1 ? '' : 's'} (hardware wallets, snaps) hold no key to import; skipped.`)
        })
      }),
    )
}
