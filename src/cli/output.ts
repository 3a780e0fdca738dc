/**
 * What the `coffer` command prints and how it ends: exit codes, the one JSON document of
 * `--json`, tables, one-line errors on stderr (a stack only with `--debug`), and the spinner.
 *
 * Exit codes (docs/cli.md lists them too; scripts may rely on them):
 *
 * | code | meaning                                                   |
 * | ---- | --------------------------------------------------------- |
 * | 0    | ok                                                        |
 * | 1    | unexpected failure                                        |
 * | 2    | usage or configuration error (bad flag, argument, file)   |
 * | 3    | wrong password, or the wallet stays locked                |
 * | 4    | refused by the spending policy                            |
 * | 5    | insufficient funds                                        |
 * | 6    | network or RPC failure (node down, timeout, wrong chain)  |
 * | 7    | the audit journal failed verification                     |
 * | 8    | the node refused the transaction: nothing was sent        |
 * | 9    | the broadcast's answer was lost: it may be on its way     |
 * | 130  | cancelled by the user (declined confirmation, Ctrl-C)     |
 * | 143  | stopped by SIGTERM (`balance --watch`)                    |
 * @module
 * @internal
 */
import Table from 'cli-table3'
import ora, { type Ora } from 'ora'
import { CofferError, type CofferErrorCode } from '../core/errors.js'

/** The exit codes of `coffer`. */
export const EXIT = Object.freeze({
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  LOCKED: 3,
  POLICY: 4,
  FUNDS: 5,
  NETWORK: 6,
  JOURNAL: 7,
  /** The node refused the transaction (nonce, fee, replacement rules): nothing went out. */
  REJECTED: 8,
  /** The broadcast's answer was lost (5xx, timeout, reset): the transaction may be on its way; never pay again. */
  MAYBE_SENT: 9,
  CANCELLED: 130,
  TERMINATED: 143,
} as const)

/** One of {@link EXIT}'s values. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** A failure of the command itself (not of the SDK), with its exit code. */
export class CliError extends Error {
  override name = 'CliError'
  readonly exitCode: ExitCode
  /** A stable name for `--json` error documents (`USAGE`, `CANCELLED`, `JOURNAL`, …). */
  readonly code: string
  /** The command already printed its JSON document; print only the stderr line. */
  readonly reported: boolean

  constructor(exitCode: ExitCode, message: string, options: { code?: string; cause?: unknown; reported?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.exitCode = exitCode
    this.code = options.code ?? codeName(exitCode)
    this.reported = options.reported ?? false
  }
}

/** The user declined or interrupted: exit 130. */
export function cancelled(message = 'Cancelled.'): CliError {
  return new CliError(EXIT.CANCELLED, message, { code: 'CANCELLED' })
}

/** A bad argument, flag or file: exit 2. */
export function usage(message: string, cause?: unknown): CliError {
  return new CliError(EXIT.USAGE, message, { code: 'USAGE', ...(cause === undefined ? {} : { cause }) })
}

function codeName(exitCode: ExitCode): string {
  const entry = Object.entries(EXIT).find(([, v]) => v === exitCode)
  return entry ? entry[0] : 'FAILURE'
}

const BY_CODE: Partial<Record<CofferErrorCode, ExitCode>> = {
  WRONG_PASSWORD: EXIT.LOCKED,
  VAULT_LOCKED: EXIT.LOCKED,
  KEY_WIPED: EXIT.LOCKED,
  POLICY_VIOLATION: EXIT.POLICY,
  INSUFFICIENT_FUNDS: EXIT.FUNDS,
  RPC: EXIT.NETWORK,
  TRANSACTION_TIMEOUT: EXIT.NETWORK,
  CHAIN_MISMATCH: EXIT.NETWORK,
  PRICE_SOURCE: EXIT.NETWORK,
  JOURNAL_INTEGRITY: EXIT.JOURNAL,
  TRANSACTION_REJECTED: EXIT.REJECTED,
  BROADCAST_UNKNOWN: EXIT.MAYBE_SENT,
  INVALID_ARGUMENT: EXIT.USAGE,
  INVALID_MNEMONIC: EXIT.USAGE,
  INVALID_ENTROPY: EXIT.USAGE,
  INVALID_PATH: EXIT.USAGE,
  INVALID_EXTENDED_KEY: EXIT.USAGE,
  INVALID_PRIVATE_KEY: EXIT.USAGE,
  INVALID_ADDRESS: EXIT.USAGE,
  INVALID_AMOUNT: EXIT.USAGE,
  INVALID_CAIP_ID: EXIT.USAGE,
  INVALID_PAYMENT_URI: EXIT.USAGE,
  UNKNOWN_ASSET: EXIT.USAGE,
  NOT_SUPPORTED: EXIT.USAGE,
  VAULT_NOT_FOUND: EXIT.USAGE,
  VAULT_EXISTS: EXIT.USAGE,
  VAULT_FORMAT: EXIT.USAGE,
  UNSUPPORTED_VERSION: EXIT.USAGE,
  UNSUPPORTED_KDF: EXIT.USAGE,
  SECRET_NOT_FOUND: EXIT.USAGE,
}

/** True for inquirer's "the user pressed Ctrl-C / the prompt was aborted". */
function isPromptExit(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name
  return name === 'ExitPromptError' || name === 'AbortPromptError' || name === 'CancelPromptError'
}

/** The exit code for any error. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode
  if (isPromptExit(error)) return EXIT.CANCELLED
  if (error instanceof CofferError) return BY_CODE[error.code] ?? EXIT.FAILURE
  return EXIT.FAILURE
}

/** The one line shown for an error (no newline, no stack). */
export function errorLine(error: unknown): string {
  if (isPromptExit(error)) return 'Cancelled.'
  const text = error instanceof CofferError ? error.shortMessage : error instanceof Error ? error.message : String(error)
  return oneLine(text) || 'Unknown error.'
}

/** Collapses whitespace and removes control and bidi characters (for text from files, URIs and nodes). */
export function oneLine(text: string): string {
  return cleanText(text).replace(/\s+/g, ' ').trim()
}

/** Removes control and bidi-override characters, keeping newlines. */
export function cleanText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
}

/** JSON text with bigints as decimal strings. */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? undefined : v),
    indent,
  )
}

/** A spinner that only spins on a terminal in human mode. */
export interface Spinner {
  succeed(text?: string): void
  fail(text?: string): void
  stop(): void
}

/** Where a command prints. Human text and tables go to stdout; notes, warnings and prompts to stderr. */
export class Output {
  readonly json: boolean
  readonly debug: boolean
  #printed = false

  constructor(options: { json: boolean; debug: boolean }) {
    this.json = options.json
    this.debug = options.debug
  }

  /** True once the JSON document (or a human result) went out. */
  get printed(): boolean {
    return this.#printed
  }

  /** Human text on stdout (nothing in `--json` mode). */
  print(text = ''): void {
    if (!this.json) process.stdout.write(`${text}\n`)
  }

  /** A note for people on stderr (progress, hints); shown in both modes. */
  note(text: string): void {
    process.stderr.write(`${text}\n`)
  }

  /** `warning: …` on stderr. */
  warn(text: string): void {
    process.stderr.write(`warning: ${oneLine(text)}\n`)
  }

  /** The command's result: the JSON document in `--json` mode, else what `human` prints. */
  result(data: unknown, human?: () => void): void {
    if (this.json) {
      if (this.#printed) throw new Error('Only one JSON document per command.')
      process.stdout.write(`${toJson(data)}\n`)
    } else {
      human?.()
    }
    this.#printed = true
  }

  /** One event of a stream (`balance --watch`): a JSON line in `--json` mode, else a text line. */
  event(data: unknown, text: string): void {
    process.stdout.write(this.json ? `${toJson(data, 0)}\n` : `${text}\n`)
  }

  /** A table (no colours, so pipes and logs stay clean). */
  table(head: readonly string[], rows: readonly (readonly string[])[], options: { align?: readonly ('left' | 'right')[] } = {}): string {
    const table = new Table({
      head: [...head],
      style: { head: [], border: [] },
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
      ...(options.align ? { colAligns: [...options.align] } : {}),
    })
    for (const row of rows) table.push([...row])
    return table.toString()
  }

  /** A spinner on stderr; silent unless stderr is a terminal and the output is for people. */
  spinner(text: string): Spinner {
    const silent = this.json || process.stderr.isTTY !== true
    const spinner: Ora = ora({ text, stream: process.stderr, isSilent: silent, discardStdin: false }).start()
    return {
      succeed: (t?: string) => void spinner.succeed(t),
      fail: (t?: string) => void spinner.fail(t),
      stop: () => void spinner.stop(),
    }
  }

  /**
   * Writes an error: the one-line message on stderr (with `--debug`, the stack and causes), and
   * in `--json` mode an error document on stdout. A reported CliError without a message (a
   * watch stopped by Ctrl-C) prints nothing.
   */
  error(error: unknown, exitCode: ExitCode): void {
    if (error instanceof CliError && error.message === '' && error.reported) return
    const line = errorLine(error)
    process.stderr.write(`error: ${line}\n`)
    if (this.debug) process.stderr.write(`${debugText(error)}\n`)
    if (this.json && !(error instanceof CliError && error.reported) && !this.#printed) {
      const code = error instanceof CofferError || error instanceof CliError ? error.code : isPromptExit(error) ? 'CANCELLED' : 'FAILURE'
      process.stdout.write(`${toJson({ error: { code, message: line, exitCode } })}\n`)
      this.#printed = true
    }
  }
}

function debugText(error: unknown): string {
  const parts: string[] = []
  let e: unknown = error
  for (let depth = 0; e !== undefined && e !== null && depth < 6; depth++) {
    parts.push(depth === 0 ? '' : 'caused by:', e instanceof Error ? (e.stack ?? e.message) : String(e))
    e = (e as { cause?: unknown }).cause
  }
  return parts.filter(Boolean).join('\n')
}
