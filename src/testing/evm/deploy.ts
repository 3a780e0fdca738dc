/**
 * Puts contracts on an anvil from the precompiled bytecode in ./contracts.ts: Multicall3 at its
 * canonical address, and the kit's tokens at fixed addresses from an impersonated deployer.
 * @module
 * @internal
 */
import { encodeDeployData, encodeFunctionData, getAddress, numberToHex, type Abi, type Address, type Hash, type Hex } from 'viem'
import { DeadlineExceededError, RpcError } from '../../core/errors.js'
import { MULTICALL3_ADDRESS } from '../../chains/evm/networks.js'
import { rpcCall } from '../rpc.js'
import { multicall3, noReturnToken, standardToken } from './contracts.js'
import { LOCAL_DEPLOYER, LOCAL_TOKEN_SPECS, type LocalTokenSymbol } from './tokens.js'

/** The receipt fields the kit reads. */
export interface Receipt {
  readonly transactionHash: Hash
  readonly status: Hex
  readonly blockNumber: Hex
  readonly contractAddress: Address | null
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Places Multicall3's runtime code at its canonical address (anvil_setCode); anvil has none. */
export async function placeMulticall3(url: string): Promise<Address> {
  await rpcCall(url, 'anvil_setCode', [MULTICALL3_ADDRESS, multicall3.deployedBytecode])
  return MULTICALL3_ADDRESS
}

/**
 * Sends a transaction from an account anvil signs for (a development account, or one made so
 * with anvil_impersonateAccount), mines a block when automine is off, and returns the receipt.
 * @throws RpcError when the node refuses it or it reverts
 * @throws DeadlineExceededError when no receipt comes within `timeoutMs`
 */
async function sendAndWait(
  url: string,
  tx: { from: Address; to?: Address; data?: Hex; value?: bigint; nonce?: number },
  timeoutMs = 10_000,
): Promise<Receipt> {
  const hash = await rpcCall<Hash>(url, 'eth_sendTransaction', [
    {
      from: tx.from,
      ...(tx.to ? { to: tx.to } : {}),
      ...(tx.data ? { data: tx.data } : {}),
      ...(tx.value !== undefined ? { value: numberToHex(tx.value) } : {}),
      ...(tx.nonce !== undefined ? { nonce: numberToHex(tx.nonce) } : {}),
    },
  ])
  if (!(await rpcCall<boolean>(url, 'anvil_getAutomine'))) await rpcCall(url, 'anvil_mine', ['0x1'])
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const receipt = await rpcCall<Receipt | null>(url, 'eth_getTransactionReceipt', [hash])
    if (receipt) {
      if (receipt.status !== '0x1') throw new RpcError(`Transaction ${hash} reverted on the local chain.`, { details: { hash } })
      return receipt
    }
    if (Date.now() > deadline)
      throw new DeadlineExceededError(`No receipt for ${hash} after ${timeoutMs} ms.`, { details: { hash, deadlineMs: timeoutMs } })
    await sleep(20)
  }
}

/** Deploys `bytecode` with constructor `args` from `from` and returns the new contract's address. */
export async function deployContract(
  url: string,
  from: Address,
  contract: { abi: Abi | readonly unknown[]; bytecode: Hex },
  args: readonly unknown[],
  nonce?: number,
): Promise<Address> {
  const data = encodeDeployData({ abi: contract.abi as Abi, bytecode: contract.bytecode, args })
  const receipt = await sendAndWait(url, { from, data, ...(nonce === undefined ? {} : { nonce }) })
  if (!receipt.contractAddress)
    throw new RpcError('The deployment receipt names no contract address.', { details: { hash: receipt.transactionHash } })
  return getAddress(receipt.contractAddress)
}

/** Lets the kit's deployer send transactions (impersonated) and pay for them. */
export async function prepareDeployer(url: string): Promise<void> {
  await rpcCall(url, 'anvil_impersonateAccount', [LOCAL_DEPLOYER])
  await rpcCall(url, 'anvil_setBalance', [LOCAL_DEPLOYER, numberToHex(10n ** 24n)])
}

/**
 * Deploys one of the kit's tokens at its fixed address (the deployer's nonce is set to the
 * token's own first). Call {@link prepareDeployer} once before.
 */
export async function deployLocalToken(url: string, symbol: LocalTokenSymbol): Promise<Address> {
  const spec = LOCAL_TOKEN_SPECS[symbol]
  await rpcCall(url, 'anvil_setNonce', [LOCAL_DEPLOYER, numberToHex(spec.nonce)])
  return spec.contract === 'StandardToken'
    ? deployContract(url, LOCAL_DEPLOYER, standardToken, [spec.name, spec.symbol, spec.decimals, spec.version], spec.nonce)
    : deployContract(url, LOCAL_DEPLOYER, noReturnToken, [spec.name, spec.symbol, spec.decimals], spec.nonce)
}

/** Mints `amount` base units of a kit token (their mint is open to anyone) to `to`, from `from`. */
export async function mintTo(url: string, token: Address, to: Address, amount: bigint, from: Address = LOCAL_DEPLOYER): Promise<Receipt> {
  const data = encodeFunctionData({ abi: standardToken.abi, functionName: 'mint', args: [to, amount] })
  return sendAndWait(url, { from, to: token, data })
}
