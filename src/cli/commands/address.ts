/**
 * `coffer address <chain>`: the address to receive on. One-address accounts (EVM): the account's
 * address. Multi-address accounts (Bitcoin): the next unused receive address (discovered through
 * the configured chain); the first receive address (`family.addressAt`), with a note on stderr,
 * when the chain is not configured or not reachable. `--json` gives `{ chainId, index, address, … }`
 * (multi-address accounts add `account`, `addressType`, `descriptor`, `path`; `index` is then the
 * address's index on the receive branch). `--qr` draws a payment URI naming the chain, in the
 * family's first payment scheme: BIP-21 `bitcoin:<address>`, EIP-681 `ethereum:<address>@<chainId>`.
 * @module
 * @internal
 */
import type { Command } from 'commander'
import type { ChainId } from '../../core/caip.js'
import { CofferError, InvalidArgumentError, VaultLockedError } from '../../core/errors.js'
import { chainFamilies, chainFamily, findChainFamily, type ChainFamily } from '../../chains/family.js'
import { BITCOIN_ADDRESS_TYPES, type BitcoinAddressType } from '../../keys/address/bitcoin.js'
import { paymentQr } from '../../payments/qr.js'
import { formatPaymentUri } from '../../payments/uri.js'
import type { Vault } from '../../vault/vault.js'
import type { Wallet, WalletAccount } from '../../wallet/wallet.js'
import { findChain, unconfiguredChain } from '../chains.js'
import type { Context } from '../context.js'
import { errorLine, usage } from '../output.js'
import { keySource } from '../signers.js'
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
  if (!(BITCOIN_ADDRESS_TYPES as readonly string[]).includes(value))
    throw usage(`--type must be one of ${BITCOIN_ADDRESS_TYPES.join(', ')}.`)
  return value as BitcoinAddressType
}

/** The family's account options for `--type`; exit 2 when the family takes no address type. */
function accountOptionsOf(family: ChainFamily, addressType: BitcoinAddressType | undefined) {
  try {
    return family.accountOptions(addressType ? { addressType } : {})
  } catch (error) {
    if (error instanceof InvalidArgumentError && addressType) throw usage(`--type does not apply to ${family.title} chains.`)
    throw error
  }
}

/** The account, opened without the password when the wallet already knows it. */
async function accountOf(
  ctx: Context,
  wallet: Wallet,
  chainId: string,
  options: { index: number; addressType?: BitcoinAddressType },
): Promise<WalletAccount> {
  const open = () =>
    wallet.account(chainId as `${string}:${string}`, {
      index: options.index,
      ...(options.addressType ? { addressType: options.addressType } : {}),
    })
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

/** What `coffer address` prints (and `--json` gives). */
interface AddressResult {
  readonly chainId: ChainId
  /** EVM: the account index; Bitcoin: the address's index on the account's receive branch. */
  readonly index: number
  readonly address: string
  /** Bitcoin: the account index. */
  readonly account?: number
  readonly addressType?: string
  /** Bitcoin: the account's output descriptor. */
  readonly descriptor?: string
  readonly path?: string
  /** True when the chain said which receive address is unused. */
  readonly discovered: boolean
}

/** Errors that mean "the chain is not reachable now": the command falls back to an offline address. */
const UNREACHABLE = new Set(['RPC', 'DEADLINE_EXCEEDED', 'DISCOVERY_LIMIT'])

/** A configured chain's receive address: discovered on Bitcoin, or the first one (with a note) when the chain does not answer. */
async function receiveOf(ctx: Context, name: string, account: WalletAccount): Promise<AddressResult> {
  if (account.descriptor === undefined)
    return { chainId: account.chainId, index: account.index, address: account.address, discovered: false }
  let found
  let discovered = true
  try {
    found = await account.receiveAddress()
  } catch (error) {
    if (!(error instanceof CofferError && UNREACHABLE.has(error.code))) throw error
    found = account.addressAt(0)
    discovered = false
    ctx.out.note(
      `(${name} did not answer: ${errorLine(error).replace(/\.$/, '')}. This is the account's first receive address, which may have been used already.)`,
    )
  }
  return {
    chainId: account.chainId,
    account: account.index,
    addressType: account.addressType ?? 'p2wpkh',
    descriptor: account.descriptor,
    index: found.index,
    address: found.address,
    ...(found.path ? { path: found.path } : {}),
    discovered,
  }
}

/** The payment URI a QR code carries: it names the chain, so the payer's app cannot pick the wrong one. */
export function receiveUri(chainId: ChainId, address: string): string {
  const family = findChainFamily(chainId)
  const scheme = family?.paymentSchemes?.[0]
  const asset = family?.nativeAsset?.(chainId)
  if (!scheme || !asset) throw usage(`coffer has no payment URI scheme for ${chainId.slice(0, 60)}.`)
  return formatPaymentUri({ scheme: scheme.scheme, chainId, to: address, asset })
}

/** One main-network CAIP-2 id of each family, for the help text. */
function exampleChainIds(): string {
  return chainFamilies()
    .map((f) => (f.networks.find((n) => !n.testnet) ?? f.networks[0])?.chainId)
    .filter((id) => id !== undefined)
    .join(', ')
}

export function register(program: Command, action: Action): void {
  program
    .command('address')
    .description('show the address to receive on (EVM: the account; Bitcoin: its next unused receive address)')
    .argument('<chain>', `a configured chain name or a CAIP-2 id (${exampleChainIds()})`)
    .option('--index <n>', 'account index', '0')
    .option('--type <type>', `Bitcoin address type: ${BITCOIN_ADDRESS_TYPES.join(', ')} (default p2wpkh)`)
    .option('--qr', 'also draw a QR code of a payment URI for the address (BIP-21 bitcoin:, EIP-681 ethereum:…@chainId)')
    .action(
      action(async (ctx, [chainArg], opts: Options) => {
        const index = parseIndex(opts.index)
        const addressType = parseType(opts.type)
        const chain = findChain(ctx.config, chainArg as string)
        let result: AddressResult
        if (chain) {
          accountOptionsOf(chainFamily(chain.chainId), addressType)
          const wallet = await ctx.wallet()
          try {
            const account = await accountOf(ctx, wallet, chain.chainId, { index, ...(addressType ? { addressType } : {}) })
            result = await receiveOf(ctx, chain.name, account)
          } finally {
            wallet.lock()
          }
        } else {
          const other = unconfiguredChain(chainArg as string)
          if (!other) {
            const known = ctx.config.chains.map((c) => c.name)
            throw usage(
              `Unknown chain "${String(chainArg).slice(0, 60)}": give a configured name${known.length ? ` (${known.join(', ')})` : ''} or a CAIP-2 id such as eip155:1.`,
            )
          }
          const options = accountOptionsOf(other.family, addressType)
          const vault = await ctx.unlockedVault()
          const secretId = primarySecret(vault)
          const signer = await other.family.signer(keySource(vault), other.chainId, { secretId, index, options })
          const keys = other.family.accountKeys(other.chainId, signer)
          if (keys.descriptor !== undefined && other.family.addressAt) {
            const first = other.family.addressAt(other.chainId, keys.descriptor, false, 0)
            const type = 'kind' in signer ? signer.addressType : options.addressType
            result = {
              chainId: other.chainId,
              account: index,
              ...(typeof type === 'string' ? { addressType: type } : {}),
              descriptor: keys.descriptor,
              index: first.index,
              address: first.address,
              ...(first.path ? { path: first.path } : {}),
              discovered: false,
            }
            ctx.out.note('(the first receive address of the account; configure the chain to get the next unused one)')
          } else {
            const path = 'kind' in signer ? undefined : signer.path
            result = { chainId: other.chainId, index, address: keys.address, ...(path ? { path } : {}), discovered: false }
          }
          vault.lock()
        }
        const uri = opts.qr ? receiveUri(result.chainId, result.address) : undefined
        const qr = uri ? await paymentQr(uri, { format: 'terminal' }) : undefined
        ctx.out.result({ ...result, ...(uri ? { uri, qr } : {}) }, () => {
          ctx.out.print(result.address)
          if (qr) ctx.out.print(`${qr}${uri}`)
        })
      }),
    )
}
