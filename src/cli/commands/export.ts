/**
 * `coffer export keystore`: an EVM account key as an Ethereum keystore v3 file (geth, ethers,
 * MetaMask's "import JSON file" open it). The vault checks the wallet password again before
 * it encrypts the key under the keystore password; the key itself is never shown.
 * @module
 * @internal
 */
import { writeFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { toChecksumAddress } from '../../keys/address/evm.js'
import type { Context } from '../context.js'
import { usage } from '../output.js'
import { filePassword } from '../password.js'
import type { Action } from './action.js'
import { parseIndex } from './address.js'

interface Options {
  index?: string
  out?: string
  secret?: string
  keystorePasswordFile?: string
}

async function exportKeystoreCommand(ctx: Context, opts: Options): Promise<void> {
  const vault = await ctx.unlockedVault()
  try {
    const secrets = vault.listSecrets()
    const secret = opts.secret === undefined ? secrets.find((s) => s.kind === 'mnemonic') : secrets.find((s) => s.id === opts.secret)
    if (!secret)
      throw usage(
        opts.secret === undefined
          ? 'This vault holds no mnemonic; name a secret with --secret <id>.'
          : `No secret "${opts.secret.slice(0, 40)}" in this vault.`,
      )
    const index = secret.kind === 'mnemonic' ? parseIndex(opts.index) : undefined
    if (secret.kind !== 'mnemonic' && opts.index !== undefined)
      throw usage('--index applies to mnemonic secrets; this secret is a single key.')
    const keystorePassword = await filePassword({
      file: opts.keystorePasswordFile,
      flag: '--keystore-password-file',
      message: 'Password for the keystore file',
      confirmTwice: true,
    })
    const keystore = await vault.exportKeystore(
      { secretId: secret.id, chain: 'evm', ...(index === undefined ? {} : { index }) },
      await ctx.password(),
      keystorePassword,
    )
    const address = toChecksumAddress(`0x${(JSON.parse(keystore) as { address: string }).address}`)
    if (opts.out !== undefined) {
      await writeFile(opts.out, `${keystore}\n`, { flag: 'wx', mode: 0o600 }).catch((cause: NodeJS.ErrnoException) => {
        throw usage(
          cause.code === 'EEXIST' ? `${opts.out} exists; not overwriting it.` : `Cannot write ${opts.out}: ${cause.code ?? 'error'}.`,
        )
      })
      ctx.out.result({ address, out: opts.out }, () =>
        ctx.out.print(`Wrote the keystore of ${address} to ${opts.out} (encrypted with the keystore password).`),
      )
    } else {
      ctx.out.result({ address, keystore: JSON.parse(keystore) as unknown }, () => ctx.out.print(keystore))
    }
  } finally {
    vault.lock()
  }
}

export function register(program: Command, action: Action): void {
  const group = program.command('export').description('export a key in a format other wallets read')
  group
    .command('keystore')
    .description('export an EVM account key as an Ethereum keystore v3 JSON file (asks a password for the file)')
    .option('--index <n>', 'account index of the mnemonic (default 0)')
    .option('--secret <id>', 'the vault secret to export from (default: the wallet mnemonic)')
    .option('--out <file>', 'write the keystore here (mode 0600) instead of printing it')
    .option('--keystore-password-file <file>', 'read the keystore password from this file')
    .action(action(async (ctx, _args, opts: Options) => exportKeystoreCommand(ctx, opts)))
}
