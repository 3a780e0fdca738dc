/**
 * The local Solana server's errors: JSON-RPC errors with Agave's codes and messages, and
 * Agave's two renderings of a transaction error — its JSON (serde) form, as in `meta.err`, and
 * its Display text, as in "Transaction simulation failed: …".
 * @module
 * @internal
 */

/** A JSON-RPC error the server answers with. */
export class RpcFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message)
  }
}

export const PARSE_ERROR = -32700
export const INVALID_REQUEST = -32600
export const METHOD_NOT_FOUND = -32601
const INVALID_PARAMS = -32602
export const BLOCK_NOT_AVAILABLE = -32004
export const PREFLIGHT_FAILURE = -32002
export const SIGNATURE_VERIFICATION_FAILURE = -32003
export const SLOT_SKIPPED = -32007
const UNSUPPORTED_TRANSACTION_VERSION = -32015
export const MIN_CONTEXT_SLOT_NOT_REACHED = -32016

/** -32602 "Invalid params: …". */
export const invalidParams = (why: string): RpcFailure => new RpcFailure(INVALID_PARAMS, `Invalid params: ${why}`)
/** -32602 "Invalid param: …" (Agave's wording for a bad pubkey, signature or hash). */
export const invalidParam = (why: string): RpcFailure => new RpcFailure(INVALID_PARAMS, `Invalid param: ${why}`)

export const unsupportedVersion = (version: number): RpcFailure =>
  new RpcFailure(
    UNSUPPORTED_TRANSACTION_VERSION,
    `Transaction version (${version}) is not supported by the requesting client. Please try the request again with the following configuration parameter: "maxSupportedTransactionVersion": ${version}`,
  )

/** Agave's TransactionError in JSON (serde's externally tagged form). */
type TxErrorJson = string | Record<string, unknown>

const TX_ERRORS = [
  ['AccountInUse', 'Account in use'],
  ['AccountLoadedTwice', 'Account loaded twice'],
  ['AccountNotFound', 'Attempt to debit an account but found no record of a prior credit.'],
  ['ProgramAccountNotFound', 'Attempt to load a program that does not exist'],
  ['InsufficientFundsForFee', 'Insufficient funds for fee'],
  ['InvalidAccountForFee', 'This account may not be used to pay transaction fees'],
  ['AlreadyProcessed', 'This transaction has already been processed'],
  ['BlockhashNotFound', 'Blockhash not found'],
  ['CallChainTooDeep', 'Loader call chain is too deep'],
  ['MissingSignatureForFee', 'Transaction requires a fee but has no signature present'],
  ['InvalidAccountIndex', 'Transaction contains an invalid account reference'],
  ['SignatureFailure', 'Transaction did not pass signature verification'],
  ['InvalidProgramForExecution', 'This program may not be used for executing instructions'],
  ['SanitizeFailure', 'Transaction failed to sanitize accounts offsets correctly'],
  ['ClusterMaintenance', 'Transactions are currently disabled due to cluster maintenance'],
  ['AccountBorrowOutstanding', 'Transaction processing left an account with an outstanding borrowed reference'],
  ['WouldExceedMaxBlockCostLimit', 'Transaction would exceed max Block Cost Limit'],
  ['UnsupportedVersion', 'Transaction version is unsupported'],
  ['InvalidWritableAccount', 'Transaction loads a writable account that cannot be written'],
  ['WouldExceedMaxAccountCostLimit', 'Transaction would exceed max account limit within the block'],
  ['WouldExceedAccountDataBlockLimit', 'Transaction would exceed account data limit within the block'],
  ['TooManyAccountLocks', 'Transaction locked too many accounts'],
  ['AddressLookupTableNotFound', "Transaction loads an address table account that doesn't exist"],
  ['InvalidAddressLookupTableOwner', 'Transaction loads an address table account with an invalid owner'],
  ['InvalidAddressLookupTableData', 'Transaction loads an address table account with invalid data'],
  ['InvalidAddressLookupTableIndex', 'Transaction address table lookup uses an invalid index'],
  ['InvalidRentPayingAccount', 'Transaction leaves an account with a lower balance than rent-exempt minimum'],
  ['WouldExceedMaxVoteCostLimit', 'Transaction would exceed max Vote Cost Limit'],
  ['WouldExceedAccountDataTotalLimit', 'Transaction would exceed total account data limit'],
  ['MaxLoadedAccountsDataSizeExceeded', 'Transaction exceeded max loaded accounts data size cap'],
  ['ResanitizationNeeded', 'ResanitizationNeeded'],
  ['InvalidLoadedAccountsDataSizeLimit', 'LoadedAccountsDataSizeLimit set for transaction must be greater than 0.'],
  ['UnbalancedTransaction', 'Sum of account balances before and after transaction do not match'],
  ['ProgramCacheHitMaxLimit', 'Program cache hit max limit'],
  ['CommitCancelled', 'CommitCancelled'],
] as const // litesvm's TransactionErrorFieldless order

const IX_ERRORS = [
  ['GenericError', 'generic instruction error'],
  ['InvalidArgument', 'invalid program argument'],
  ['InvalidInstructionData', 'invalid instruction data'],
  ['InvalidAccountData', 'invalid account data for instruction'],
  ['AccountDataTooSmall', 'account data too small for instruction'],
  ['InsufficientFunds', 'insufficient funds for instruction'],
  ['IncorrectProgramId', 'incorrect program id for instruction'],
  ['MissingRequiredSignature', 'missing required signature for instruction'],
  ['AccountAlreadyInitialized', 'instruction requires an uninitialized account'],
  ['UninitializedAccount', 'instruction requires an initialized account'],
  ['UnbalancedInstruction', 'sum of account balances before and after instruction do not match'],
  ['ModifiedProgramId', 'instruction illegally modified the program id of an account'],
  ['ExternalAccountLamportSpend', 'instruction spent from the balance of an account it does not own'],
  ['ExternalAccountDataModified', 'instruction modified data of an account it does not own'],
  ['ReadonlyLamportChange', 'instruction changed the balance of a read-only account'],
  ['ReadonlyDataModified', 'instruction modified data of a read-only account'],
  ['DuplicateAccountIndex', 'instruction contains duplicate accounts'],
  ['ExecutableModified', 'instruction changed executable bit of an account'],
  ['RentEpochModified', 'instruction modified rent epoch of an account'],
  ['NotEnoughAccountKeys', 'insufficient account keys for instruction'],
  ['AccountDataSizeChanged', "program other than the account's owner changed the size of the account data"],
  ['AccountNotExecutable', 'instruction expected an executable account'],
  ['AccountBorrowFailed', 'instruction tries to borrow reference for an account which is already borrowed'],
  ['AccountBorrowOutstanding', 'instruction left account with an outstanding borrowed reference'],
  ['DuplicateAccountOutOfSync', 'instruction modifications of multiply-passed account differ'],
  ['InvalidError', 'program returned invalid error code'],
  ['ExecutableDataModified', 'instruction changed executable accounts data'],
  ['ExecutableLamportChange', 'instruction changed the balance of an executable account'],
  ['ExecutableAccountNotRentExempt', 'executable accounts must be rent exempt'],
  ['UnsupportedProgramId', 'Unsupported program id'],
  ['CallDepth', 'Cross-program invocation call depth too deep'],
  ['MissingAccount', 'An account required by the instruction is missing'],
  ['ReentrancyNotAllowed', 'Cross-program invocation reentrancy not allowed for this instruction'],
  ['MaxSeedLengthExceeded', 'Length of the seed is too long for address generation'],
  ['InvalidSeeds', 'Provided seeds do not result in a valid address'],
  ['InvalidRealloc', 'Failed to reallocate account data'],
  ['ComputationalBudgetExceeded', 'Computational budget exceeded'],
  ['PrivilegeEscalation', 'Cross-program invocation with unauthorized signer or writable account'],
  ['ProgramEnvironmentSetupFailure', 'Failed to create program execution environment'],
  ['ProgramFailedToComplete', 'Program failed to complete'],
  ['ProgramFailedToCompile', 'Program failed to compile'],
  ['Immutable', 'Account is immutable'],
  ['IncorrectAuthority', 'Incorrect authority provided'],
  ['AccountNotRentExempt', 'An account does not have enough lamports to be rent-exempt'],
  ['InvalidAccountOwner', 'Invalid account owner'],
  ['ArithmeticOverflow', 'Program arithmetic overflowed'],
  ['UnsupportedSysvar', 'Unsupported sysvar'],
  ['IllegalOwner', 'Provided owner is not allowed'],
  ['MaxAccountsDataAllocationsExceeded', 'Accounts data allocations exceeded the maximum allowed per transaction'],
  ['MaxAccountsExceeded', 'Max accounts exceeded'],
  ['MaxInstructionTraceLengthExceeded', 'Max instruction trace length exceeded'],
  ['BuiltinProgramsMustConsumeComputeUnits', 'Builtin programs must consume compute units'],
  ['BorshIoError', 'Failed to serialize or deserialize account data'],
] as const // litesvm's InstructionErrorFieldless order (BorshIoError last)

/** A transaction error: its JSON and its Display text. */
export interface TxError {
  json: TxErrorJson
  text: string
}

export const txError = (name: (typeof TX_ERRORS)[number][0]): TxError => ({
  json: name,
  text: TX_ERRORS.find(([n]) => n === name)![1],
})

function instructionError(err: unknown): { json: TxErrorJson; text: string } {
  if (typeof err === 'number') {
    const [name, text] = IX_ERRORS[err] ?? ['GenericError', 'generic instruction error']
    return { json: name, text }
  }
  const e = err as { code?: number; msg?: string; constructor: { name: string } }
  if (typeof e.code === 'number') return { json: { Custom: e.code }, text: `custom program error: 0x${e.code.toString(16)}` }
  return { json: 'BorshIoError', text: 'Failed to serialize or deserialize account data' }
}

/** Converts litesvm's error object into Agave's JSON and Display forms. */
export function fromLitesvmError(err: unknown): TxError {
  if (typeof err === 'number') {
    const [name, text] = TX_ERRORS[err] ?? ['SanitizeFailure', 'Transaction failed to sanitize accounts offsets correctly']
    return { json: name, text }
  }
  const e = err as { constructor: { name: string }; index?: number; accountIndex?: number; err?: () => unknown }
  switch (e.constructor.name) {
    case 'TransactionErrorInstructionError': {
      const inner = instructionError(e.err!())
      return { json: { InstructionError: [e.index, inner.json] }, text: `Error processing Instruction ${e.index}: ${inner.text}` }
    }
    case 'TransactionErrorDuplicateInstruction':
      return {
        json: { DuplicateInstruction: e.index },
        text: `Transaction contains a duplicate instruction (${e.index}) that is not allowed`,
      }
    case 'TransactionErrorInsufficientFundsForRent':
      return {
        json: { InsufficientFundsForRent: { account_index: e.accountIndex } },
        text: `Transaction results in an account (${e.accountIndex}) with insufficient funds for rent`,
      }
    case 'TransactionErrorProgramExecutionTemporarilyRestricted':
      return {
        json: { ProgramExecutionTemporarilyRestricted: { account_index: e.accountIndex } },
        text: `Execution of the program referenced by account at index ${e.accountIndex} is temporarily restricted.`,
      }
    default:
      return { json: 'SanitizeFailure', text: String(err) }
  }
}
