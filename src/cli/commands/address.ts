/**
 * `coffer address <chain>`: the address to receive on. One-address accounts (EVM): the account's
 * address. Multi-address accounts (Bitcoin): the next unused receive address (discovered through
 * the configured chain); the first receive address (`family.addressAt`), with a note on stderr,
 * when the chain is not configured or not reachable. `--json` gives `{ chainId, index, address, … }`
 * (multi-address accounts add `account`, `addressType`, `descriptor`, `path`; `index` is then the
 * address's index on the receive branch). Besides a configured name or a CAIP-2 id, `<chain>` may
 * be a family's name (its main network: `solana`, `bitcoin`) or a network's name (`devnet`,
 * `mainnet-beta`, `regtest`; see `namedNetwork`). `--qr` draws a payment URI naming the chain, in
 * the family's first payment scheme: BIP-21 `bitcoin:<address>`, EIP-681
 * `ethereum:<address>@<chainId>`, Solana Pay `solana:<address>`. Where the scheme cannot name the
 * chain (Solana Pay URIs name no cluster: only mainnet-beta ones are written), the code holds the
 * bare address, with a note on stderr saying so, and `--json` has no `uri`.
 * @module
 * @internal
 */
import type { Command } from 'commander'
import type { ChainId } from '../../core/caip.js'
import { CofferError, InvalidArgumentError, InvalidPaymentUriError, VaultLockedError } from '../../core/errors.js'
import { chainFamilies, chainFamily, findChainFamily, type ChainFamily } from '../../chains/family.js'
import { BITCOIN_ADDRESS_TYPES, type BitcoinAddressType } from '../../keys/address/bitcoin.js'
import { paymentQr } from '../../payments/qr.js'
import { formatPaymentUri } from '../../payments/uri.js'
import type { Vault } from '../../vault/vault.js'
import type { Wallet, WalletAccount } from '../../wallet/wallet.js'
import { findChain, namedNetwork, unconfiguredChain } from '../chains.js'
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

/**
 * What a QR code carries: a payment URI naming the chain, so the payer's app cannot pick the wrong
 * one; or, when the family's scheme cannot name this chain (Solana Pay URIs name no cluster, so
 * only mainnet-beta ones can be written), the bare address and why (`note`).
 */
export function receiveUri(chainId: ChainId, address: string): { uri: string } | { note: string } {
  const family = findChainFamily(chainId)
  const scheme = family?.paymentSchemes?.[0]
  const asset = family?.nativeAsset?.(chainId)
  if (!scheme || !asset) return { note: `coffer has no payment URI scheme for ${chainId.slice(0, 60)}` }
  try {
    return { uri: formatPaymentUri({ scheme: scheme.scheme, chainId, to: address, asset }) }
  } catch (error) {
    if (error instanceof InvalidPaymentUriError || error instanceof InvalidArgumentError)
      return { note: `no ${scheme.scheme}: payment URI for this chain: ${error.shortMessage.replace(/\.$/, '')}` }
    throw error
  }
}

/** One main-network CAIP-2 id of each family, for the help text. */
function exampleChainIds(): string {
  return chainFamilies()
    .map((f) => (f.networks.find((n) => !n.testnet) ?? f.networks[0])?.chainId)
    .filter((id) => id !== undefined)
    .join(', ')
}

/** Each family's name and its networks' short names, for messages (`evm, bitcoin, mainnet, …`). */
function exampleNames(): string {
  const families = chainFamilies()
  const names = [
    ...families.map((f) => f.kind),
    ...families.flatMap((f) => f.networks.map((n) => n.name)).filter((n) => /^[a-z][a-z0-9-]*$/.test(n)),
  ]
  return [...new Set(names)].join(', ')
}

export function register(program: Command, action: Action): void {
  program
    .command('address')
    .description('show the address to receive on (EVM, Solana, TRON: the account; Bitcoin: its next unused receive address)')
    .argument('<chain>', `a configured chain name, a CAIP-2 id (${exampleChainIds()}) or a network name (${exampleNames()})`)
    .option('--index <n>', 'account index', '0')
    .option('--type <type>', `Bitcoin address type: ${BITCOIN_ADDRESS_TYPES.join(', ')} (default p2wpkh)`)
    .option(
      '--qr',
      'also draw a QR code of a payment URI for the address (BIP-21 bitcoin:, EIP-681 ethereum:…@chainId, Solana Pay solana: on mainnet-beta, tron: on TRON mainnet; else the bare address)',
    )
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
          const other = unconfiguredChain(chainArg as string) ?? namedNetwork(chainArg as string)
          if (!other) {
            const known = ctx.config.chains.map((c) => c.name)
            throw usage(
              `Unknown chain "${String(chainArg).slice(0, 60)}": give a configured name${known.length ? ` (${known.join(', ')})` : ''}, a CAIP-2 id such as eip155:1, or a network name (${exampleNames()}).`,
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
        const target = opts.qr ? receiveUri(result.chainId, result.address) : undefined
        const uri = target && 'uri' in target ? target.uri : undefined
        if (target && 'note' in target)
          ctx.out.note(`(${target.note}. The QR code holds the bare address: make sure the payer's app is on the same network.)`)
        const qr = target ? await paymentQr(uri ?? result.address, { format: 'terminal' }) : undefined
        ctx.out.result({ ...result, ...(uri ? { uri } : {}), ...(qr ? { qr } : {}) }, () => {
          ctx.out.print(result.address)
          if (qr) ctx.out.print(`${qr}${uri ?? ''}`)
        })
      }),
    )
}
