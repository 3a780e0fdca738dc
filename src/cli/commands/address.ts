/**
 * `coffer address <chain>`: the address to receive on. EVM: the account's address. Bitcoin:
 * the account's next unused receive address (discovered through the configured Esplora), or
 * its first receive address when the chain is not configured. `--qr` draws it.
 * @module
 * @internal
 */
import type { Command } from 'commander'
import type { BitcoinAdapter } from '../../chains/bitcoin/adapter.js'
import { VaultLockedError } from '../../errors.js'
import { BITCOIN_ADDRESS_TYPES, type BitcoinAddressType } from '../../keys/address/bitcoin.js'
import { paymentQr } from '../../qr.js'
import type { Vault } from '../../vault/vault.js'
import type { Wallet, WalletAccount } from '../../wallet/wallet.js'
import { findChain, unconfiguredChain } from '../chains.js'
import type { Context } from '../context.js'
import { usage } from '../output.js'
import type { Action } from './action.js'

interface Options {
  index: string
  type?: string
  qr?: boolean
}

/** Parses `--index`. */
export function parseIndex(value: string | undefined, flag = '--index'): number {
  if (value === undefined) return 0
  if (!/^\d{1,10}$/.test(value) || Number(value) >= 2 ** 31) throw usage(`${flag} must be an integer from 0 to 2147483647.`)
  return Number(value)
}

function parseType(value: string | undefined): BitcoinAddressType | undefined {
  if (value === undefined) return undefined
  if (!(BITCOIN_ADDRESS_TYPES as readonly string[]).includes(value)) throw usage(`--type must be one of ${BITCOIN_ADDRESS_TYPES.join(', ')}.`)
  return value as BitcoinAddressType
}

/** The account, opened without the password when the wallet already knows it. */
async function accountOf(ctx: Context, wallet: Wallet, chainId: string, options: { index: number; addressType?: BitcoinAddressType }): Promise<WalletAccount> {
  const open = () => wallet.account(chainId as `${string}:${string}`, { index: options.index, ...(options.addressType ? { addressType: options.addressType } : {}) })
  try {
    return await open()
  } catch (error) {
    if (!(error instanceof VaultLockedError)) throw error
    await wallet.unlock(await ctx.password())
    return open()
  }
}

/** The first mnemonic of the vault (the wallet's own). */
function primarySecret(vault: Vault): string {
  const secret = vault.listSecrets().find((s) => s.kind === 'mnemonic')
  if (!secret) throw usage('This vault holds no mnemonic to derive addresses from (coffer import mnemonic).')
  return secret.id
}

export function register(program: Command, action: Action): void {
  program
    .command('address')
    .description('show the address to receive on (EVM: the account; Bitcoin: its next unused receive address)')
    .argument('<chain>', 'a configured chain name or a CAIP-2 id (eip155:1, bip122:000000000019d6689c085ae165831e93)')
    .option('--index <n>', 'account index', '0')
    .option('--type <type>', `Bitcoin address type: ${BITCOIN_ADDRESS_TYPES.join(', ')} (default p2wpkh)`)
    .option('--qr', 'also draw the address as a QR code')
    .action(
      action(async (ctx, [chainArg], opts: Options) => {
        const index = parseIndex(opts.index)
        const addressType = parseType(opts.type)
        const chain = findChain(ctx.config, chainArg as string)
        let result: { chainId: string; index: number; address: string; addressType?: string; path?: string; discovered: boolean }
        if (chain) {
          if (chain.kind === 'evm' && addressType) throw usage('--type applies to Bitcoin chains only.')
          const wallet = await ctx.wallet()
          const account = await accountOf(ctx, wallet, chain.chainId, { index, ...(addressType ? { addressType } : {}) })
          if (chain.kind === 'bitcoin') {
            const state = await (ctx.adapter(chain.chainId) as BitcoinAdapter).discoverAccount(account.address)
            result = { chainId: chain.chainId, index, address: state.nextReceive.address, addressType: account.addressType ?? 'p2wpkh', ...(state.nextReceive.path ? { path: state.nextReceive.path } : {}), discovered: true }
          } else {
            result = { chainId: chain.chainId, index, address: account.address, discovered: false }
          }
          wallet.lock()
        } else {
          const other = unconfiguredChain(chainArg as string)
          if (!other) {
            const known = ctx.config.chains.map((c) => c.name)
            throw usage(`Unknown chain "${String(chainArg).slice(0, 60)}": give a configured name${known.length ? ` (${known.join(', ')})` : ''} or a CAIP-2 id such as eip155:1.`)
          }
          if (other.kind === 'evm' && addressType) throw usage('--type applies to Bitcoin chains only.')
          const vault = await ctx.unlockedVault()
          const secretId = primarySecret(vault)
          if (other.kind === 'bitcoin') {
            const account = await vault.getAccountSigner({ secretId, chain: 'bitcoin', network: other.network, account: index, ...(addressType ? { addressType } : {}) })
            const child = account.child(0, 0)
            result = { chainId: other.chainId, index, address: child.address, addressType: account.addressType, ...(child.path ? { path: child.path } : {}), discovered: false }
          } else {
            const signer = await vault.getSigner({ secretId, chain: 'evm', index })
            result = { chainId: other.chainId, index, address: signer.address, ...(signer.path ? { path: signer.path } : {}), discovered: false }
          }
          vault.lock()
        }
        const qr = opts.qr ? await paymentQr(result.address, { format: 'terminal' }) : undefined
        ctx.out.result({ ...result, ...(qr ? { qr } : {}) }, () => {
          ctx.out.print(result.address)
          if (qr) ctx.out.print(qr)
          if (result.chainId.startsWith('bip122:') && !result.discovered) ctx.out.note('(first receive address of the account; configure the chain to get the next unused one)')
        })
      }),
    )
}
