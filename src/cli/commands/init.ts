/**
 * `coffer init`: creates the wallet (a new or given mnemonic, account 0 on every configured
 * chain) and shows a new mnemonic once, with a warning to write it down.
 * @module
 * @internal
 */
import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { generateMnemonic } from '../../keys/mnemonic.js'
import { Wallet } from '../../wallet/wallet.js'
import { priceSource } from '../chains.js'
import type { Context } from '../context.js'
import { accountJson, accountText } from '../format.js'
import { usage } from '../output.js'
import type { Action } from './action.js'

const WARNING =
  'Write these words down, in order, and keep them offline. They are the only way to restore this wallet; anyone who sees them can take its funds. They are not shown again.'

/** Creates a wallet in an empty location; `mnemonic` restores one. Returns it unlocked. */
export async function createWallet(ctx: Context, mnemonic: string, passphrase?: string): Promise<Wallet> {
  if (await ctx.vaultExists())
    throw usage(`A wallet already exists at ${ctx.vaultPath}; refusing to overwrite it (choose another --vault).`)
  const password = await ctx.password({ isNew: true })
  const kdf = ctx.kdf()
  const prices = priceSource(ctx.config)
  return Wallet.create({
    storage: ctx.storage,
    password,
    chains: await ctx.adapters(),
    mnemonic,
    ...(passphrase ? { passphrase } : {}),
    ...(kdf ? { kdf } : {}),
    ...(ctx.config.policy ? { policy: ctx.config.policy } : {}),
    ...(prices ? { priceSource: prices } : {}),
    currency: ctx.config.currency,
  })
}

/** Reads a mnemonic file: whitespace between words does not matter. */
export async function readMnemonicFile(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim().split(/\s+/).join(' ')
  } catch (cause) {
    throw usage(`Cannot read --mnemonic-file ${path}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}.`)
  }
}

/** Prints the accounts of a new wallet. */
export function printAccounts(ctx: Context, wallet: Wallet): void {
  const accounts = wallet.accounts()
  if (accounts.length === 0) {
    ctx.out.print('No chains configured yet: add them to the config file; accounts open on first use.')
    return
  }
  ctx.out.print(
    ctx.out.table(
      ['Chain', 'Account'],
      accounts.map((a) => [a.chainId, accountText(a)]),
    ),
  )
}

export function register(program: Command, action: Action): void {
  program
    .command('init')
    .description('create a new wallet (shows its new mnemonic once)')
    .option('--mnemonic-file <file>', 'restore from the mnemonic in this file instead of making a new one')
    .option('--words <n>', 'words in a new mnemonic: 12 or 24', '12')
    .action(
      action(async (ctx, _args, opts: { mnemonicFile?: string; words: string }) => {
        if (opts.words !== '12' && opts.words !== '24') throw usage('--words must be 12 or 24.')
        if (await ctx.vaultExists())
          throw usage(`A wallet already exists at ${ctx.vaultPath}; refusing to overwrite it (choose another --vault).`)
        const generated = opts.mnemonicFile === undefined
        const mnemonic = generated
          ? generateMnemonic({ words: Number(opts.words) as 12 | 24 })
          : await readMnemonicFile(opts.mnemonicFile as string)
        const wallet = await createWallet(ctx, mnemonic)
        wallet.lock()
        const accounts = wallet.accounts().map(accountJson)
        ctx.out.result(
          { created: true, vault: ctx.vaultPath, restored: !generated, accounts, ...(generated ? { mnemonic, warning: WARNING } : {}) },
          () => {
            ctx.out.print(`${generated ? 'Created' : 'Restored'} a wallet at ${ctx.vaultPath}.`)
            printAccounts(ctx, wallet)
            if (generated) {
              ctx.out.print()
              ctx.out.print(`WARNING: ${WARNING}`)
              ctx.out.print()
              const words = mnemonic.split(' ')
              for (let i = 0; i < words.length; i += 6) {
                ctx.out.print(
                  `  ${words
                    .slice(i, i + 6)
                    .map((w, k) => `${String(i + k + 1).padStart(2)}. ${w.padEnd(9)}`)
                    .join(' ')}`.trimEnd(),
                )
              }
              ctx.out.print()
            }
          },
        )
      }),
    )
}
