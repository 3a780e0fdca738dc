/**
 * `coffer/testing`: local chains for your own tests, the ones coffer's examples and test suite
 * run on. No internet, no configuration; everything listens on 127.0.0.1 only.
 *
 * ```ts
 * import { startLocalChain } from 'coffer/testing'
 * const local = await startLocalChain({ tokens: ['USDT', 'USDC'] })   // in beforeAll
 * afterAll(() => local.stop())
 * ```
 * then `evm({ chain: local.chain, rpcUrls: [local.rpcUrl], tokens: local.adapterTokens })` and
 * `await local.fund(address, { eth: '1', USDT: '1000' })`.
 *
 * **EVM — {@link startLocalChain}.** Starts anvil (Foundry's local node): the binary named by
 * `ANVIL_PATH`, else the one in the npm package `@foundry-rs/anvil-linux-amd64` (an optional peer
 * dependency: `npm install --save-dev @foundry-rs/anvil-linux-amd64`). It puts Multicall3 at its
 * canonical address and deploys the tokens asked for, from bytecode shipped in this package:
 * USDT-like (`transfer`/`approve` return nothing, as Tether's do; 6 decimals), USDC-like (bool
 * returns, EIP-2612 `permit`, EIP-3009 `transferWithAuthorization`; 6 decimals) and DAI-like
 * (18 decimals). Their `mint` is open to anyone: they are test tokens, never real money. The
 * Solidity sources are in coffer's repository under `test/fixtures/evm/`
 * (`StandardToken.sol`, `NoReturnToken.sol`, `Multicall3.sol`), compiled with solc 0.8.30
 * (optimizer, 200 runs, EVM version cancun) by `scripts/build-fixtures.mjs`; each shipped
 * contract records its source's SHA-256. anvil is killed by its pid on `stop()`, when the
 * process exits, on SIGINT/SIGTERM/SIGHUP, and — through a small `sh` watchdog — even when the
 * process is killed outright; a running chain never keeps your program alive.
 *
 * **Bitcoin — {@link startLocalBitcoin}.** A regtest backend speaking the Esplora REST API, for
 * `bitcoin({ network: 'regtest', esploraUrl })`. It is a checking server, not a mock: every
 * broadcast is parsed by bitcoinjs-lib and every input's signature verified with tiny-secp256k1
 * (libsecp256k1, independent of coffer's own @noble crypto), after Bitcoin Core's mempool rules
 * (missing or spent inputs, Σin ≥ Σout, dust, minimum relay fee, lock-time finality, BIP-125
 * replacement). bitcoinjs-lib 7+ and tiny-secp256k1 2+ are optional peer dependencies, loaded
 * only when it is called. What it is not, so a passing test is not read as more than it proves:
 * - not Bitcoin Core: no proof of work, no block validation; block hashes and merkle roots are
 *   synthetic, blocks appear when you call `mine()`;
 * - funding transactions are synthetic: real, serialized transactions whose one input is fake;
 * - it verifies P2WPKH, P2SH-P2WPKH, P2PKH and Taproot key-path inputs; any other input
 *   (P2WSH, bare or P2SH multisig, Taproot script paths) is refused as unverifiable, never
 *   accepted unchecked;
 * - it does not enforce relative lock times (BIP-68/CSV), ancestor/descendant package limits or
 *   the full standardness rules of Core; fee estimates are whatever `setFeeEstimates` says;
 * - it serves the Esplora routes coffer's adapter uses (address stats, UTXOs, history pages,
 *   transactions, outspends, blocks, fee estimates, broadcast), not the whole API.
 * Its fault layer (failing or lying on purpose), which coffer's own tests use, is not exported:
 * its rules name the server's raw routes, and a chain-neutral way to inject failures belongs in
 * a mock adapter.
 *
 * **Solana — {@link startLocalSolana}.** A JSON-RPC server speaking Agave's API (the methods a
 * wallet uses: balances, accounts, token accounts, blockhashes, fees, simulation, sends,
 * signature statuses, signatures by address, transactions, blocks) over litesvm, which runs the
 * real SVM in-process: signature checks, fees, rent, the System, SPL Token, Token-2022,
 * Associated Token Account and Memo programs, durable nonces. `tokens: ['USDC', 'USDT', 'PYUSD']`
 * creates local mints (PYUSD-like is Token-2022 with a transfer fee); give `adapterTokens` to
 * `solana({ chain, rpcUrls: [rpcUrl], tokens })`. litesvm 1.x is an optional peer dependency,
 * loaded only when it is called. What it is not: no validators, votes or forks — a slot
 * advances on `mine()` (or every `slotMs`), a transaction is `processed` in its slot,
 * `confirmed` one slot later and `finalized` 32 slots later; blockhashes stay valid for 150 slots.
 *
 * **Tron — {@link startLocalTron}.** A TronGrid-shaped HTTP server (`/wallet/*`,
 * `/walletsolidity/*`, `/v1/accounts/*`) whose TRC-20 logic really runs: a Tether-like token
 * (6 decimals, pause, blacklist) on anvil, a Tron address being `0x41` plus the EVM address of the
 * same key. Every broadcast is decoded with tronweb (an optional peer dependency, loaded only when
 * it is called: independent of coffer's own encoder) and checked as java-tron does — txID,
 * signature, TaPoS, expiration, duplicates, bandwidth — and TRX, energy and bandwidth are priced
 * by mainnet's chain parameters (account activation, burns, OUT_OF_ENERGY, REVERT). What it is
 * not: energy is counted as EVM gas (no dynamic energy penalty, no TVM-exact opcode prices), one
 * signature per transaction, TransferContract and TriggerSmartContract only.
 *
 * **Gas in stablecoins — {@link startLocalSponsor}.** On a `startLocalChain` chain with USDT: a
 * real ERC-4337 bundler (Pimlico's alto) on a free port, EntryPoint v0.8 at its public address and
 * Simple7702Account v0.8 at its CREATE2 address (from `@account-abstraction/contracts`' artifacts),
 * and a **test** token paymaster (signature-verified, charges USDT at a fixed rate in postOp) with
 * its ERC-7677 service — `sponsor.stablecoinGas` is what `evm({ stablecoinGas })` takes.
 * `@pimlico/alto` and `@account-abstraction/contracts` are optional peer dependencies. What it is
 * not: alto runs without ERC-7562 tracing (`--safe-mode false`: anvil has no such tracer), the
 * EntryPoint's runtime code is copied to its public address (its immutables name the CREATE2
 * copy: factory-made accounts do not work, EIP-7702 accounts need none), and the paymaster is a
 * test contract, not a production one.
 *
 * Every kit takes amounts as a decimal string in whole units (`'1000'` USDT, `'0.5'` ETH,
 * `'0.015'` BTC) or a bigint of base units — never a JS number.
 * @module coffer/testing
 */
export * from '../core/errors.js'
export { startLocalChain, type LocalChain, type LocalToken, type LocalFunding } from './evm/local-chain.js'
export { startLocalSponsor, type LocalSponsor, type LocalSponsorOptions } from './evm/sponsor.js'
export type { StartLocalChainOptions } from './evm/options.js'
export { LOCAL_TOKEN_SYMBOLS, type LocalTokenSymbol } from './evm/tokens.js'
export type { FundAmount } from './amounts.js'
export {
  startLocalBitcoin,
  type LocalBitcoin,
  type LocalBroadcast,
  type LocalUtxo,
  type StartLocalBitcoinOptions,
} from './bitcoin/local-bitcoin.js'
export {
  startLocalSolana,
  LOCAL_SOLANA_TOKEN_SYMBOLS,
  type LocalSolana,
  type LocalSolanaFunding,
  type LocalSolanaToken,
  type LocalSolanaTokenSymbol,
  type StartLocalSolanaOptions,
} from './solana/local-solana.js'
export {
  startLocalTron,
  LOCAL_TRON_TOKEN_SYMBOLS,
  type LocalTron,
  type LocalTronFunding,
  type LocalTronToken,
  type LocalTronTokenSymbol,
  type StartLocalTronOptions,
  type TronChainParameters,
} from './tron/local-tron.js'
