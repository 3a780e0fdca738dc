/**
 * A test-only ERC-20 token paymaster on a local chain, for UserOperations through the local bundler
 * (./bundler.ts): EntryPoint v0.8 at its public address; its ERC-7677 service is
 * ./paymaster-service.ts.
 *
 * `deployTokenPaymaster` deploys `TestTokenPaymaster` (test/fixtures/evm/TokenPaymaster.sol in
 * coffer's repository, compiled into ./contracts.ts) with anvil's dev key 0 and funds its EntryPoint deposit.
 *
 * paymasterAndData (byte offsets; the service returns bytes [52:] as `paymasterData`):
 *   [0:20] paymaster, [20:36] paymasterVerificationGasLimit, [36:52] paymasterPostOpGasLimit,
 *   [52:72] token, [72:104] exchangeRate (token base units per 1e18 wei), [104:120] postOpGas,
 *   [120:126] validUntil, [126:132] validAfter, [132:197] signature (r ‖ s ‖ v, EIP-191 personal
 *   message of {@link paymasterQuoteHash}).
 * @module
 */
import {
  concat,
  createPublicClient,
  createWalletClient,
  encodeAbiParameters,
  getAddress,
  http,
  isHex,
  keccak256,
  parseEther,
  toHex,
  type Address,
  type Chain,
  type Hex,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { ENTRY_POINT_V08 } from './bundler.js'
import { testTokenPaymaster } from './contracts.js'

const testTokenPaymasterAbi = testTokenPaymaster.abi

/** anvil dev key 0: deploys and funds the paymaster (the same account bundler.ts deploys with). */
const DEPLOYER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
/** anvil dev key 7: the service's default quote signer. */
export const DEFAULT_PAYMASTER_SIGNER_KEY = '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356'
/** Where the charged tokens go by default: an address nothing else uses. */
const DEFAULT_TREASURY: Address = '0x7e57000000000000000000000000000000007e57'
/** The paymaster's gas limits, the same in the stub and the final data (measured on anvil with USDT: validation ≈ 18k, postOp ≈ 30.5k with a treasury going from 0). */
export const PAYMASTER_VERIFICATION_GAS_LIMIT = 100_000n
export const PAYMASTER_POST_OP_GAS_LIMIT = 80_000n
/** The gas postOp is assumed to use when a quote names none (charged on top of the gas before postOp). */
export const DEFAULT_POST_OP_GAS = 60_000n
/**
 * The stub signature: 65 bytes, v = 28 and a low s, so the contract runs ecrecover on it (the
 * gas of a real one) and recovers an address that is not the signer: sigFailed, no revert.
 */
export const STUB_SIGNATURE: Hex = `0x${'ff'.repeat(16)}${'00'.repeat(16)}${'7a'.repeat(32)}1c`
const PAYMASTER_DATA_LENGTH = 145 // bytes [52:197]

export type LocalChain = { readonly chain: Chain; readonly rpcUrl: string }

/** A deployed TestTokenPaymaster. */
export interface DeployedTokenPaymaster {
  readonly address: Address
  readonly treasury: Address
  /** The quote signer the contract trusts. */
  readonly signer: Address
}

/** Deploys TestTokenPaymaster (EntryPoint v0.8) with anvil's dev key 0 and deposits `depositWei` (default 10 ETH) for it. */
export async function deployTokenPaymaster(
  chain: LocalChain,
  options: { signerKey?: Hex; treasury?: Address; depositWei?: bigint } = {},
): Promise<DeployedTokenPaymaster> {
  const signer = privateKeyToAccount(options.signerKey ?? DEFAULT_PAYMASTER_SIGNER_KEY).address
  const treasury = getAddress(options.treasury ?? DEFAULT_TREASURY)
  const rpc = createPublicClient({ chain: chain.chain, transport: http(chain.rpcUrl) })
  const wallet = createWalletClient({ account: privateKeyToAccount(DEPLOYER_KEY), chain: chain.chain, transport: http(chain.rpcUrl) })
  const hash = await wallet.deployContract({
    abi: testTokenPaymasterAbi,
    bytecode: testTokenPaymaster.bytecode as Hex,
    args: [ENTRY_POINT_V08, signer, treasury],
  })
  const receipt = await rpc.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error('TestTokenPaymaster deployment failed')
  const address = getAddress(receipt.contractAddress)
  const value = options.depositWei ?? parseEther('10')
  if (value > 0n) {
    const deposit = await wallet.writeContract({ address, abi: testTokenPaymasterAbi, functionName: 'deposit', value })
    if ((await rpc.waitForTransactionReceipt({ hash: deposit })).status !== 'success') throw new Error('paymaster deposit failed')
  }
  return { address, treasury, signer }
}

/** A quote: token base units per 1e18 wei, and the gas postOp is charged for on top. */
export interface PaymasterQuote {
  readonly token: Address
  readonly exchangeRate: bigint
  readonly postOpGas: bigint
  readonly validUntil: number
  readonly validAfter: number
}

/** The fields of a UserOperation (v0.7/v0.8, unpacked, bigints) that the quote hash covers. */
export interface QuotedUserOperation {
  readonly sender: Address
  readonly nonce: bigint
  readonly callData: Hex
  readonly callGasLimit: bigint
  readonly verificationGasLimit: bigint
  readonly preVerificationGas: bigint
  readonly maxFeePerGas: bigint
  readonly maxPriorityFeePerGas: bigint
  readonly paymasterVerificationGasLimit: bigint
  readonly paymasterPostOpGasLimit: bigint
}

const pack128 = (high: bigint, low: bigint): Hex => toHex((high << 128n) | low, { size: 32 })

/**
 * What the service signs (before the EIP-191 prefix); TestTokenPaymaster.quoteHash computes the
 * same: keccak256(abi.encode(sender, nonce, keccak256(callData), accountGasLimits,
 * preVerificationGas, gasFees, pmVerificationGasLimit, pmPostOpGasLimit, chainId, paymaster,
 * token, exchangeRate, postOpGas, validUntil, validAfter)).
 */
export function paymasterQuoteHash(op: QuotedUserOperation, chainId: number, paymaster: Address, quote: PaymasterQuote): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        { type: 'address' },
        { type: 'uint256' },
        { type: 'bytes32' },
        { type: 'bytes32' },
        { type: 'uint256' },
        { type: 'bytes32' },
        { type: 'uint128' },
        { type: 'uint128' },
        { type: 'uint256' },
        { type: 'address' },
        { type: 'address' },
        { type: 'uint256' },
        { type: 'uint128' },
        { type: 'uint48' },
        { type: 'uint48' },
      ],
      [
        op.sender,
        op.nonce,
        keccak256(op.callData),
        pack128(op.verificationGasLimit, op.callGasLimit),
        op.preVerificationGas,
        pack128(op.maxPriorityFeePerGas, op.maxFeePerGas),
        op.paymasterVerificationGasLimit,
        op.paymasterPostOpGasLimit,
        BigInt(chainId),
        paymaster,
        quote.token,
        quote.exchangeRate,
        quote.postOpGas,
        quote.validUntil,
        quote.validAfter,
      ],
    ),
  )
}

/** paymasterData (bytes [52:197] of paymasterAndData) for a quote and a 65-byte signature. */
export function encodePaymasterData(quote: PaymasterQuote, signature: Hex): Hex {
  if (!isHex(signature) || signature.length !== 2 + 130) throw new Error('the paymaster signature must be 65 bytes')
  return concat([
    quote.token,
    toHex(quote.exchangeRate, { size: 32 }),
    toHex(quote.postOpGas, { size: 16 }),
    toHex(quote.validUntil, { size: 6 }),
    toHex(quote.validAfter, { size: 6 }),
    signature,
  ])
}

/** Reads paymasterData (bytes [52:197]) back into its quote and signature. */
export function decodePaymasterData(data: Hex): { quote: PaymasterQuote; signature: Hex } {
  if (!isHex(data) || data.length !== 2 + 2 * PAYMASTER_DATA_LENGTH) throw new Error(`paymasterData must be ${PAYMASTER_DATA_LENGTH} bytes`)
  const at = (from: number, to: number): Hex => `0x${data.slice(2 + 2 * from, 2 + 2 * to)}`
  return {
    quote: {
      token: getAddress(at(0, 20)),
      exchangeRate: BigInt(at(20, 52)),
      postOpGas: BigInt(at(52, 68)),
      validUntil: Number(BigInt(at(68, 74))),
      validAfter: Number(BigInt(at(74, 80))),
    },
    signature: at(80, 145),
  }
}
