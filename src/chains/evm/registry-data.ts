/**
 * Static registry of the EVM chains coffer knows and of the official stablecoin
 * contracts (USDT, USDC, DAI families) deployed on them. Pure data: no logic.
 *
 * Every entry was checked against the source named in its `source` field:
 * - chain facts (EIP-155 id, native currency, multicall3, block time) against the
 *   chain's own docs where one was found, and against viem 2.57.20's chain
 *   definitions (`viem/chains`), which is what the rest of the EVM stack reads;
 * - USDT against Tether's own lists (tetherto/wdk-docs deployments page, which
 *   defers to https://tether.to/en/supported-protocols/ and the USDT0 docs);
 * - USDC against Circle (https://developers.circle.com/stablecoins/usdc-contract-addresses,
 *   Circle's blog, Circle's own repos) and the chains' docs for bridged USDC.e;
 * - DAI against MakerDAO's bridge deployments and the chains' canonical-bridge
 *   token lists (Superchain Token List, Polygon token list).
 * Every address is EIP-55 checksummed (`getAddress(a) === a`) and every token's
 * `eip155Id` exists in {@link EVM_CHAINS}.
 *
 * Deliberately absent (no issuer-official source was found): the Binance-Peg
 * USDT/USDC/DAI on BNB Smart Chain (56), the Avalanche Bridge ".e" tokens
 * (USDT.e, USDC.e, DAI.e) on Avalanche C-Chain, and any testnet USDT/DAI.
 * Circle lists no USDC on BSC testnet (97).
 *
 * To add a chain:
 * 1. Append an {@link EvmChainInfo} to `EVM_CHAINS`: the EIP-155 id from the chain's
 *    official docs as `eip155Id`, `chainId` = `eip155:<id>`, native currency, EIP-1559 support,
 *    multicall3 only if it is deployed at the canonical address (viem's chain
 *    definition lists it with `blockCreated`), typical block time, and `source`.
 * 2. Append its tokens to `EVM_TOKENS`, native issuance first, bridged variants
 *    after with `bridged: true`. Each needs the URL of the issuer's (or the chain's
 *    canonical bridge's) page listing that exact address, decimals read from that
 *    source, and an EIP-55 address. Never copy an address from a blog, an explorer
 *    search or a token list of unknown provenance: look-alike scam tokens exist.
 * 3. Run the registry checks (checksums, chain ids) before committing.
 * @module
 */

/** One EVM chain coffer knows. */
export interface EvmChainInfo {
  /** The EIP-155 chain number (what transactions and EIP-712 domains carry). */
  readonly eip155Id: number
  /** CAIP-2 id, `eip155:<eip155Id>`. */
  readonly chainId: `eip155:${number}`
  readonly name: string // "Ethereum", "Polygon PoS", ...
  readonly testnet: boolean
  readonly native: { readonly symbol: string; readonly name: string; readonly decimals: 18 }
  readonly eip1559: boolean // whether the chain uses EIP-1559 fees
  readonly multicall3?: `0x${string}` // canonical 0xcA11bde05977b3631167028862bE2a173976CA11 where deployed
  readonly blockTimeMs: number // typical block time
  readonly source: string // where the chain facts come from
}

/** A token contract on one chain. */
export interface EvmTokenInfo {
  /** The EIP-155 chain number of the token's chain. */
  readonly eip155Id: number
  readonly address: `0x${string}` // EIP-55
  readonly symbol: 'USDT' | 'USDC' | 'DAI' | string
  readonly name: string
  readonly decimals: number
  readonly family: 'USDT' | 'USDC' | 'DAI' // asset family for totals across chains
  readonly bridged?: boolean // true for bridged variants (e.g. USDC.e) — list native issuance first
  readonly source: string // URL of the official page listing this address
}

/** Multicall3, deployed at the same address on every chain below except the local dev chain. */
const MULTICALL3 = '0xcA11bde05977b3631167028862bE2a173976CA11'

/** viem's chain definitions (cross-check for native currency, multicall3 and block time). */
const VIEM = 'https://github.com/wevm/viem/blob/main/src/chains/definitions/'

// Token sources. Each is the page on which the address below it was read.
/** Tether's own deployment list (USD₮ native deployments and USD₮0 omnichain deployments). */
const TETHER = 'https://github.com/tetherto/wdk-docs/blob/main/skills/wdk/references/deployments.md'
/** Circle's canonical list of native USDC contracts. */
const CIRCLE = 'https://developers.circle.com/stablecoins/usdc-contract-addresses'
/** Circle's official testnet USDC table (it defers to the page above for the full list). */
const CIRCLE_TESTNET = 'https://github.com/circlefin/skills/blob/master/plugins/circle/skills/test-and-faucet/SKILL.md'
/** Circle's announcement of native USDC on Polygon PoS, naming both native USDC and bridged USDC.e. */
const CIRCLE_POLYGON = 'https://www.circle.com/blog/what-you-need-to-know-native-usdc-on-polygon-pos'
/** MakerDAO's Arbitrum DAI bridge deployments (lists L1 DAI and Arbitrum DAI). */
const MAKER_ARBITRUM = 'https://github.com/makerdao/arbitrum-dai-bridge#deployments'
/** Superchain Token List (OP Stack canonical-bridge tokens), one file per token. */
const SUPERCHAIN = 'https://github.com/ethereum-optimism/ethereum-optimism.github.io/blob/master/data/'
/** Polygon's official token list (`wrappedNetworkId: -1` entries are Polygon PoS bridge tokens). */
const POLYGON_LIST = 'https://github.com/0xPolygon/polygon-token-list/blob/dev/src/tokens/defaultTokens.json'

/** Chains coffer knows: each mainnet followed by its main testnet, then the local dev chain. */
export const EVM_CHAINS: readonly EvmChainInfo[] = [
  {
    eip155Id: 1,
    chainId: 'eip155:1',
    name: 'Ethereum',
    testnet: false,
    native: { symbol: 'ETH', name: 'Ether', decimals: 18 },
    eip1559: true,
    multicall3: MULTICALL3,
    blockTimeMs: 12_000,
    source: `${VIEM}mainnet.ts`,
  },
  {
    eip155Id: 11155111,
    chainId: 'eip155:11155111',
    name: 'Sepolia',
    testnet: true,
    native: { symbol: 'ETH', name: 'Sepolia Ether', decimals: 18 },
    eip1559: true,
    multicall3: MULTICALL3,
    blockTimeMs: 12_000, // same 12 s slots as mainnet
    source: `${VIEM}sepolia.ts`,
  },
  {
    eip155Id: 137,
    chainId: 'eip155:137',
    name: 'Polygon PoS',
    testnet: false,
    native: { symbol: 'POL', name: 'POL', decimals: 18 },
    eip1559: true,
    multicall3: MULTICALL3,
    blockTimeMs: 2_000,
    source: `${VIEM}polygon.ts`,
  },
  {
    eip155Id: 80002,
    chainId: 'eip155:80002',
    name: 'Polygon Amoy',
    testnet: true,
    native: { symbol: 'POL', name: 'POL', decimals: 18 },
    eip1559: true,
    multicall3: MULTICALL3,
    blockTimeMs: 2_000,
    source: `${VIEM}polygonAmoy.ts`,
  },
  {
    eip155Id: 42161,
    chainId: 'eip155:42161',
    name: 'Arbitrum One',
    testnet: false,
    native: { symbol: 'ETH', name: 'Ether', decimals: 18 },
    eip1559: true,
    multicall3: MULTICALL3,
    blockTimeMs: 250,
    source: `https://docs.arbitrum.io/chain-info; ${VIEM}arbitrum.ts`,
  },
  {
    eip155Id: 421614,
    chainId: 'eip155:421614',
    name: 'Arbitrum Sepolia',
    testnet: true,
    native: { symbol: 'ETH', name: 'Arbitrum Sepolia Ether', decimals: 18 },
    eip1559: true,
    multicall3: MULTICALL3,
    blockTimeMs: 250,
    source: `https://docs.arbitrum.io/chain-info; ${VIEM}arbitrumSepolia.ts`,
  },
  {
    eip155Id: 10,
    chainId: 'eip155:10',
    name: 'OP Mainnet',
    testnet: false,
    native: { symbol: 'ETH', name: 'Ether', decimals: 18 },
    eip1559: true,
    multicall3: MULTICALL3,
    blockTimeMs: 2_000,
    source: `${VIEM}optimism.ts`,
  },
  {
    eip155Id: 11155420,
    chainId: 'eip155:11155420',
    name: 'OP Sepolia',
    testnet: true,
    native: { symbol: 'ETH', name: 'Sepolia Ether', decimals: 18 },
    eip1559: true,
    multicall3: MULTICALL3,
    blockTimeMs: 2_000,
    source: `${VIEM}optimismSepolia.ts`,
  },
  {
    eip155Id: 8453,
    chainId: 'eip155:8453',
    name: 'Base',
    testnet: false,
    native: { symbol: 'ETH', name: 'Ether', decimals: 18 },
    eip1559: true,
    multicall3: MULTICALL3,
    blockTimeMs: 2_000, // 2 s blocks; Flashblocks preconfirmations are a separate RPC
    source: `https://docs.base.org/network-information; ${VIEM}base.ts`,
  },
  {
    eip155Id: 84532,
    chainId: 'eip155:84532',
    name: 'Base Sepolia',
    testnet: true,
    native: { symbol: 'ETH', name: 'Sepolia Ether', decimals: 18 },
    eip1559: true,
    multicall3: MULTICALL3,
    blockTimeMs: 2_000,
    source: `https://docs.base.org/network-information; ${VIEM}baseSepolia.ts`,
  },
  {
    eip155Id: 56,
    chainId: 'eip155:56',
    name: 'BNB Smart Chain',
    testnet: false,
    native: { symbol: 'BNB', name: 'BNB', decimals: 18 },
    // BSC accepts type-2 transactions but its base fee is always 0, so there is no
    // EIP-1559 fee market; a legacy gasPrice is the conventional, always-accepted choice.
    eip1559: false,
    multicall3: MULTICALL3,
    blockTimeMs: 750,
    source: `${VIEM}bsc.ts`,
  },
  {
    eip155Id: 97,
    chainId: 'eip155:97',
    name: 'BNB Smart Chain Testnet',
    testnet: true,
    native: { symbol: 'tBNB', name: 'BNB', decimals: 18 },
    eip1559: false, // as on mainnet
    multicall3: MULTICALL3,
    blockTimeMs: 750, // testnet runs the same hard forks as mainnet (ahead of it)
    source: `${VIEM}bscTestnet.ts`,
  },
  {
    eip155Id: 43114,
    chainId: 'eip155:43114',
    name: 'Avalanche C-Chain',
    testnet: false,
    native: { symbol: 'AVAX', name: 'Avalanche', decimals: 18 },
    eip1559: true, // dynamic base fee since Apricot Phase 3
    multicall3: MULTICALL3,
    blockTimeMs: 1_700,
    source: `${VIEM}avalanche.ts`,
  },
  {
    eip155Id: 43113,
    chainId: 'eip155:43113',
    name: 'Avalanche Fuji',
    testnet: true,
    native: { symbol: 'AVAX', name: 'Avalanche Fuji', decimals: 18 },
    eip1559: true,
    multicall3: MULTICALL3,
    blockTimeMs: 1_700, // as on mainnet (blocks are produced on demand, not on a fixed clock)
    source: `https://build.avax.network/explorer/fuji/c-chain; ${VIEM}avalancheFuji.ts`,
  },
  {
    eip155Id: 31337,
    chainId: 'eip155:31337',
    name: 'Anvil (local)',
    testnet: true,
    native: { symbol: 'ETH', name: 'Ether', decimals: 18 },
    eip1559: true,
    // no multicall3: a fresh anvil/hardhat node has no contracts unless the test deploys them
    blockTimeMs: 1_000, // anvil automines one block per transaction; this is only a polling hint
    source: `${VIEM}anvil.ts`,
  },
]

/**
 * Stablecoin contracts, grouped by chain; on each chain native issuance comes first,
 * then bridged variants (`bridged: true`).
 */
export const EVM_TOKENS: readonly EvmTokenInfo[] = [
  // ── Ethereum (1) ────────────────────────────────────────────────────────────
  {
    eip155Id: 1,
    address: '0xdAC17F958D2ee523a2206206994597C13D831ec7',
    symbol: 'USDT',
    name: 'Tether USD',
    decimals: 6,
    family: 'USDT',
    source: TETHER,
  },
  {
    eip155Id: 1,
    address: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48',
    symbol: 'USDC',
    name: 'USD Coin',
    decimals: 6,
    family: 'USDC',
    source: CIRCLE,
  },
  {
    eip155Id: 1,
    address: '0x6B175474E89094C44Da98b954EedeAC495271d0F',
    symbol: 'DAI',
    name: 'Dai Stablecoin',
    decimals: 18,
    family: 'DAI',
    source: MAKER_ARBITRUM, // `l1Dai`; also MCD_DAI on https://chainlog.makerdao.com
  },

  // ── Polygon PoS (137) ───────────────────────────────────────────────────────
  {
    eip155Id: 137,
    address: '0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359',
    symbol: 'USDC',
    name: 'USD Coin',
    decimals: 6,
    family: 'USDC',
    source: CIRCLE_POLYGON,
  },
  {
    eip155Id: 137,
    address: '0x2791Bca1f2de4661ED88A30C99A7a9449Aa84174',
    symbol: 'USDC.e',
    name: 'USD Coin (PoS)',
    decimals: 6,
    family: 'USDC',
    bridged: true, // Polygon PoS bridge from Ethereum USDC
    source: CIRCLE_POLYGON,
  },
  {
    eip155Id: 137,
    address: '0xc2132D05D31c914a87C6611C10748AEb04B58e8F',
    symbol: 'USDT0',
    name: 'USD₮0',
    decimals: 6,
    family: 'USDT',
    bridged: true, // the former PoS-bridged USDT, now a USD₮0 (LayerZero OFT) deployment
    source: TETHER,
  },
  {
    eip155Id: 137,
    address: '0x8f3Cf7ad23Cd3CaDbD9735AFf958023239c6A063',
    symbol: 'DAI',
    name: '(PoS) Dai Stablecoin',
    decimals: 18,
    family: 'DAI',
    bridged: true, // Polygon PoS bridge from Ethereum DAI
    source: POLYGON_LIST,
  },

  // ── Arbitrum One (42161) ────────────────────────────────────────────────────
  {
    eip155Id: 42161,
    address: '0xaf88d065e77c8cC2239327C5EDb3A432268e5831',
    symbol: 'USDC',
    name: 'USD Coin',
    decimals: 6,
    family: 'USDC',
    source: CIRCLE,
  },
  {
    eip155Id: 42161,
    address: '0xFF970A61A04b1cA14834A43f5dE4533eBDDB5CC8',
    symbol: 'USDC.e',
    name: 'Bridged USDC',
    decimals: 6,
    family: 'USDC',
    bridged: true, // Arbitrum canonical bridge from Ethereum USDC
    source: 'https://docs.arbitrum.io/arbitrum-bridge/usdc-arbitrum-one',
  },
  {
    eip155Id: 42161,
    address: '0xFd086bC7CD5C481DCC9C85ebE478A1C0b69FCbb9',
    symbol: 'USDT0',
    name: 'USD₮0',
    decimals: 6,
    family: 'USDT',
    bridged: true, // USD₮0 (LayerZero OFT) backed by USD₮ locked on Ethereum
    source: TETHER,
  },
  {
    eip155Id: 42161,
    address: '0xDA10009cBd5D07dd0CeCc66161FC93D7c9000da1',
    symbol: 'DAI',
    name: 'Dai Stablecoin',
    decimals: 18,
    family: 'DAI',
    bridged: true, // MakerDAO's Arbitrum DAI bridge (`l2Dai`)
    source: MAKER_ARBITRUM,
  },

  // ── OP Mainnet (10) ─────────────────────────────────────────────────────────
  {
    eip155Id: 10,
    address: '0x0b2C639c533813f4Aa9D7837CAf62653d097Ff85',
    symbol: 'USDC',
    name: 'USD Coin',
    decimals: 6,
    family: 'USDC',
    source: CIRCLE,
  },
  {
    eip155Id: 10,
    address: '0x7F5c764cBc14f9669B88837ca1490cCa17c31607',
    symbol: 'USDC.e',
    name: 'USD Coin',
    decimals: 6,
    family: 'USDC',
    bridged: true, // OP Standard Bridge; being deprecated in favour of native USDC
    source: 'https://docs.optimism.io/superchain/tokenlist',
  },
  {
    eip155Id: 10,
    address: '0x01bFF41798a0BcF287b996046Ca68b395DbC1071',
    symbol: 'USDT0',
    name: 'USD₮0',
    decimals: 6,
    family: 'USDT',
    bridged: true, // USD₮0 (LayerZero OFT) backed by USD₮ locked on Ethereum
    source: TETHER,
  },
  {
    eip155Id: 10,
    address: '0x94b008aA00579c1307B0EF2c499aD98a8ce58e58',
    symbol: 'USDT',
    name: 'Tether USD',
    decimals: 6,
    family: 'USDT',
    bridged: true, // OP Standard Bridge from Ethereum USDT (legacy, distinct from USD₮0)
    source: `${SUPERCHAIN}USDT/data.json`,
  },
  {
    eip155Id: 10,
    address: '0xDA10009cBd5D07dd0CeCc66161FC93D7c9000da1',
    symbol: 'DAI',
    name: 'Dai Stablecoin',
    decimals: 18,
    family: 'DAI',
    bridged: true, // MakerDAO's Optimism DAI bridge
    source: `${SUPERCHAIN}DAI/data.json`,
  },

  // ── Base (8453) ─────────────────────────────────────────────────────────────
  {
    eip155Id: 8453,
    address: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
    symbol: 'USDC',
    name: 'USD Coin',
    decimals: 6,
    family: 'USDC',
    source: CIRCLE,
  },
  {
    eip155Id: 8453,
    address: '0xd9aAEc86B65D86f6A7B5B1b0c42FFA531710b6CA',
    symbol: 'USDbC',
    name: 'USD Base Coin',
    decimals: 6,
    family: 'USDC',
    bridged: true, // Base Standard Bridge from Ethereum USDC
    source: `${SUPERCHAIN}USDbC/data.json`,
  },
  {
    eip155Id: 8453,
    address: '0xfde4C96c8593536E31F229EA8f37b2ADa2699bb2',
    symbol: 'USDT',
    name: 'Tether USD',
    decimals: 6,
    family: 'USDT',
    bridged: true, // Base Standard Bridge from Ethereum USDT; Tether issues no USDT on Base
    source: `${SUPERCHAIN}USDT/data.json`,
  },
  {
    eip155Id: 8453,
    address: '0x50c5725949A6F0c72E6C4a641F24049A917DB0Cb',
    symbol: 'DAI',
    name: 'Dai Stablecoin',
    decimals: 18,
    family: 'DAI',
    bridged: true, // Base Standard Bridge from Ethereum DAI
    source: `${SUPERCHAIN}DAI/data.json`,
  },

  // ── BNB Smart Chain (56): none. Binance-Peg USDT/USDC/DAI are issued by Binance,
  //    not by Tether, Circle or Maker, and no Binance page listing them was found.

  // ── Avalanche C-Chain (43114) ───────────────────────────────────────────────
  {
    eip155Id: 43114,
    address: '0x9702230A8Ea53601f5cD2dc00fDBc13d4dF4A8c7',
    symbol: 'USDT',
    name: 'Tether USD',
    decimals: 6,
    family: 'USDT',
    source: TETHER,
  },
  {
    eip155Id: 43114,
    address: '0xB97EF9Ef8734C71904D8002F8b6Bc66Dd9c48a6E',
    symbol: 'USDC',
    name: 'USD Coin',
    decimals: 6,
    family: 'USDC',
    source: CIRCLE,
  },

  // ── Testnets: Circle's testnet USDC (faucet: https://faucet.circle.com) ──────
  {
    eip155Id: 11155111,
    address: '0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238',
    symbol: 'USDC',
    name: 'USD Coin',
    decimals: 6,
    family: 'USDC',
    source: CIRCLE_TESTNET,
  },
  {
    eip155Id: 80002,
    address: '0x41E94Eb019C0762f9Bfcf9Fb1E58725BfB0e7582',
    symbol: 'USDC',
    name: 'USD Coin',
    decimals: 6,
    family: 'USDC',
    source: CIRCLE_TESTNET,
  },
  {
    eip155Id: 421614,
    address: '0x75faf114eafb1BDbe2F0316DF893fd58CE46AA4d',
    symbol: 'USDC',
    name: 'USD Coin',
    decimals: 6,
    family: 'USDC',
    source: CIRCLE_TESTNET,
  },
  {
    eip155Id: 11155420,
    address: '0x5fd84259d66Cd46123540766Be93DFE6D43130D7',
    symbol: 'USDC',
    name: 'USD Coin',
    decimals: 6,
    family: 'USDC',
    source: CIRCLE_TESTNET,
  },
  {
    eip155Id: 84532,
    address: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
    symbol: 'USDC',
    name: 'USD Coin',
    decimals: 6,
    family: 'USDC',
    source: CIRCLE_TESTNET,
  },
  {
    eip155Id: 43113,
    address: '0x5425890298aed601595a70AB815c96711a31Bc65',
    symbol: 'USDC',
    name: 'USD Coin',
    decimals: 6,
    family: 'USDC',
    source: CIRCLE_TESTNET,
  },
]
