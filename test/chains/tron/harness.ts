/**
 * The TRON harness of the ChainAdapter conformance suite (test/chains/contract.ts): the local
 * TronGrid-shaped checking server (java-tron's rules, fees and receipts over its own TRX ledger,
 * TRC-20s on anvil), fresh vault accounts, and the server's fault layer for the money-safety
 * cases. Blocks are sealed only on `mine()`, so a sent transaction stays pending until then.
 * TRON has no replacement by fee: the replaceable node is unavailable.
 *
 * The node side reads the server's ledger directly (balanceOf, transactions()) — never through
 * the adapter — and tronweb is the independent check: of every transaction an adapter here signs
 * (txID, signature → owner, contract, recipient, amount, fee_limit) and of message signatures
 * (Trx.verifyMessageV2 recovers the signer's address).
 */
import { Trx } from 'tronweb'
import type { TronAdapter } from 'coffer/tron'
import { startTronServer, type TronFaultRule } from '../../support/tron-server.js'
import type { ChainHarness, FaultKind, FaultyNode, HarnessAccount, HarnessContext } from '../contract.js'
import { localTronAdapter, tronSigners, verifyEverySignature, type TronwebReading } from './helpers.js'

/** Accounts one harness hands out (the suite uses about 40). */
const ACCOUNTS = 64
/** The deadline of the adapter on a node that never answers. */
const SILENT_DEADLINE_MS = 300
const MESSAGE = 'coffer conformance ✓'

const BROADCAST = /^\/wallet\/broadcast(hex|transaction)$/
const LOOKUP = /^\/wallet(solidity)?\/gettransaction(byid|infobyid)$/

const RULES: Record<FaultKind, TronFaultRule[]> = {
  'lost-answer': [{ path: BROADCAST, when: 'after', fault: { status: 500, body: 'Internal Server Error' }, times: 1 }],
  'lost-everything': [
    { path: BROADCAST, when: 'after', fault: { status: 500, body: 'Internal Server Error' } },
    { path: LOOKUP, fault: { status: 503, body: 'unavailable' } },
  ],
  silent: [{ fault: 'hang' }],
}

/** The TRON family on the local TronGrid-shaped server, sending TRX. */
export const tronHarness: ChainHarness & { readonly signed: TronwebReading[] } = {
  name: 'TRON (local TronGrid-shaped server)',
  signed: [],
  async setup(): Promise<HarnessContext> {
    const server = await startTronServer({ tokens: ['USDT'] })
    const signers = await tronSigners(ACCOUNTS)
    // Every adapter here signs through tronweb's check; the readings land in the harness's list.
    const checked = (adapter: TronAdapter) => {
      verifyEverySignature(adapter, tronHarness.signed)
      return adapter
    }
    const adapter = checked(localTronAdapter(server))
    let next = 0
    const newAccount = async (): Promise<HarnessAccount> => {
      const signer = signers[next++]
      if (!signer) throw new Error(`the TRON harness hands out ${ACCOUNTS} accounts; raise ACCOUNTS`)
      return { from: signer.address, address: signer.address, signer }
    }
    return {
      adapter,
      newAccount,
      // A real TransferContract from the server's faucet: it credits (and activates) the account at once.
      fund: async (address, amount) => void (await server.sendTrx(address, amount)),
      mine: (blocks = 1) => server.mine(blocks),
      balanceOf: async (address) => server.balanceOf(address),
      feePaid: async (hash) => {
        const tx = server.transactions().find((t) => t.txID === hash)
        if (!tx) throw new Error(`the server holds no transaction ${hash}`)
        return tx.fee
      },
      sentCount: async (from) => server.transactions().filter((t) => t.owner === from).length,
      amounts: { fund: 100_000_000n, send: 1_000_000n },
      // What a transfer burns depends on the sender's resources when it lands.
      feeFixedAtSigning: false,
      invalidAddresses: [
        '', // empty
        'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u', // base58check broken (USDT's contract, last character changed)
        'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6', // 33 characters
        '41a614f803b6fd780986a42c78ec9c7f77e6ded13c', // the hex form, not what a user sends to
        '1BoatSLRHtKNngkdXEeobR76b53LETtpyT', // base58check with Bitcoin's version byte
        '0x52908400098527886E0F7030069857D2E4169EE7', // another family's address
        'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080', // another family's address
        '4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T', // a Solana address
      ],
      unknownHash: 'ab'.repeat(32),
      roundTrips: {
        adapter: localTronAdapter(server),
        count: () => server.requests,
        reset: () => server.resetRequests(),
        // src/chains/tron/balances.ts: the head block, "one request per address" (/v1/accounts), and for an
        // account never activated a constant balanceOf call per asked token.
        balancesMax: (n) => 1 + n * (1 + server.tokens.length),
      },
      messageToSign: MESSAGE,
      async verifySignature(account, what, signature) {
        if (what !== 'message') return false
        return Trx.verifyMessageV2(MESSAGE, signature) === account.address
      },
      async faulty(kind): Promise<FaultyNode> {
        const removers = RULES[kind].map((rule) => server.addFault(rule))
        const silent = kind === 'silent'
        const deadlineMs = silent ? SILENT_DEADLINE_MS : 60_000
        const faultyAdapter = checked(
          localTronAdapter(server, { deadlineMs, http: { retryCount: 1, ...(silent ? { timeoutMs: 60_000 } : { timeoutMs: 5_000 }) } }),
        )
        const heal = async () => {
          for (const remove of removers.splice(0)) remove()
        }
        return { adapter: faultyAdapter, deadlineMs, heal, close: heal }
      },
      replaceable: async () => ({
        unavailable: `TRON (${adapter.chainId}) has no replacement by fee: a stuck transaction expires (60 s by default) and only then may be paid again`,
      }),
      teardown: () => server.stop(),
    }
  },
}
