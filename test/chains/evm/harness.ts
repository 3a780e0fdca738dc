/**
 * The EVM harness of the ChainAdapter conformance suite (test/chains/contract.ts): the shared
 * anvil (automine on) with the fixture tokens, the native coin, fresh vault accounts per case,
 * the JSON-RPC fault proxy in front of anvil for the money-safety cases, and an own anvil with
 * automine off where a transaction has to stay pending (replaceTransaction).
 */
import { isAddressEqual, recoverMessageAddress, recoverTypedDataAddress, type TypedDataDefinition } from 'viem'
import type { ChainAdapter } from 'coffer'
import { evm } from 'coffer/evm'
import { mine, rpc, startAnvil } from '../../support/anvil.js'
import { startRpcProxy, type RpcCall, type RpcFault } from '../../support/rpc-proxy.js'
import type { ChainHarness, FaultKind, FaultyNode, HarnessAccount, HarnessContext, HarnessNode } from '../contract.js'
import { fund, localAdapter, sharedAnvil, vaultSigners } from './helpers.js'

/** Accounts one harness hands out (the suite uses about 40). */
const ACCOUNTS = 64
/** The deadline of the adapter on a node that never answers. */
const SILENT_DEADLINE_MS = 300

const TYPED_DATA: TypedDataDefinition = {
  domain: { name: 'coffer conformance', version: '1', chainId: 31337, verifyingContract: '0x000000000000000000000000000000000000c0ff' },
  types: {
    Note: [
      { name: 'text', type: 'string' },
      { name: 'count', type: 'uint256' },
    ],
  },
  primaryType: 'Note',
  message: { text: 'the same cases for every chain', count: 3n },
}
const MESSAGE = 'coffer conformance ✓'

/** Fresh vault accounts, handed out one at a time. */
async function accountSource(): Promise<() => Promise<HarnessAccount>> {
  const { signers } = await vaultSigners(ACCOUNTS)
  let next = 0
  return async () => {
    const signer = signers[next++]
    if (!signer) throw new Error(`the EVM harness hands out ${ACCOUNTS} accounts; raise ACCOUNTS`)
    return { from: signer.address, address: signer.address, signer }
  }
}

/** The node-side reads and writes of an anvil at `url`, with `adapter` on it. */
function anvilNode(url: string, adapter: ChainAdapter, newAccount: () => Promise<HarnessAccount>): HarnessNode {
  return {
    adapter,
    newAccount,
    fund: (address, amount) => fund(address as `0x${string}`, { eth: amount }, url),
    mine: (blocks = 1) => mine(url, blocks),
    balanceOf: async (address) => BigInt(await rpc<string>(url, 'eth_getBalance', [address, 'latest'])),
    feePaid: async (hash) => {
      const receipt = await rpc<{ gasUsed: string; effectiveGasPrice: string } | null>(url, 'eth_getTransactionReceipt', [hash])
      if (!receipt) throw new Error(`${hash} has no receipt yet`)
      return BigInt(receipt.gasUsed) * BigInt(receipt.effectiveGasPrice)
    },
    sentCount: async (from) => Number(BigInt(await rpc<string>(url, 'eth_getTransactionCount', [from, 'pending']))),
  }
}

/** What the fault proxy does to each JSON-RPC call, per fault kind. */
function faultOf(kind: FaultKind): (call: RpcCall) => RpcFault | undefined {
  if (kind === 'silent') return () => ({ kind: 'accept-then-hang' })
  let sends = 0
  return (call) => {
    if (call.method === 'eth_sendRawTransaction' && (kind === 'lost-everything' || sends++ === 0))
      return { kind: 'accept-then-status', status: 500 }
    if (kind === 'lost-everything' && call.method === 'eth_getTransactionByHash') return { kind: 'status', status: 502 }
    return undefined
  }
}

async function faulty(kind: FaultKind): Promise<FaultyNode> {
  const proxy = await startRpcProxy(sharedAnvil().url, { fault: faultOf(kind) })
  const silent = kind === 'silent'
  const deadlineMs = silent ? SILENT_DEADLINE_MS : 60_000
  // Requests themselves may wait a minute: only the adapter's deadline bounds a call.
  const adapter = localAdapter({ rebroadcast: { delayMs: 20 }, deadlineMs, ...(silent ? { timeoutMs: 60_000 } : {}) }, proxy.url)
  return {
    adapter,
    deadlineMs,
    heal: async () => {
      proxy.behaviour.fault = undefined
    },
    close: () => proxy.stop(),
  }
}

/** The EVM family on anvil, sending ETH. */
export const evmHarness: ChainHarness = {
  name: 'EVM (anvil, native coin)',
  async setup(): Promise<HarnessContext> {
    const { url } = sharedAnvil()
    const newAccount = await accountSource()
    const counter = await startRpcProxy(url)
    return {
      ...anvilNode(url, localAdapter(), newAccount),
      amounts: { fund: 10n ** 18n, send: 10n ** 15n },
      feeFixedAtSigning: false,
      invalidAddresses: [
        '0x52908400098527886e0F7030069857D2E4169EE7', // EIP-55 checksum broken (one letter's case flipped)
        '52908400098527886E0F7030069857D2E4169EE7', // no 0x
        '0x52908400098527886E0F7030069857D2E4169E', // 19 bytes
        '0x52908400098527886E0F7030069857D2E4169EZ7', // not hex
        'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080', // another family's address
      ],
      unknownHash: `0x${'ab'.repeat(32)}`,
      roundTrips: {
        adapter: localAdapter({}, counter.url),
        count: () => counter.requests,
        reset: () => counter.reset(),
        // EvmAdapter.getBalances: "in two HTTP requests (block number, then Multicall3 through a JSON-RPC batch)"; README: "all assets, 2 HTTP requests".
        balancesMax: () => 2,
      },
      messageToSign: MESSAGE,
      typedDataToSign: TYPED_DATA,
      async verifySignature(account, what, signature) {
        const hex = signature as `0x${string}`
        const signer =
          what === 'message'
            ? await recoverMessageAddress({ message: MESSAGE, signature: hex })
            : await recoverTypedDataAddress({ ...TYPED_DATA, signature: hex })
        return isAddressEqual(signer, account.address as `0x${string}`)
      },
      faulty,
      async replaceable() {
        const anvil = await startAnvil({ automine: false })
        return { ...anvilNode(anvil.url, evm({ chain: 'eip155:31337', rpcUrls: [anvil.url] }), newAccount), close: () => anvil.stop() }
      },
      teardown: () => counter.stop(),
    }
  },
}
