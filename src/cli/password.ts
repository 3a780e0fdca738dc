/**
 * Where the wallet password comes from, first found wins: the `COFFER_PASSWORD` environment
 * variable, the `--password-file` file (its first line), a prompt without echo on a terminal,
 * else one line of stdin. Passwords of other files (a keystore, a MetaMask vault) come from
 * their own `--…-password-file` flag, else a prompt or a stdin line.
 * @module
 * @internal
 */
import { readFile } from 'node:fs/promises'
import { CliError, EXIT, usage } from './output.js'
import { askSecret, interactive } from './prompt.js'

/** The environment variable holding the wallet password. */
const PASSWORD_ENV = 'COFFER_PASSWORD'

/** Reads the first line of a password file (a trailing line break is not part of it). */
async function readPasswordFile(path: string, flag: string): Promise<string> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (cause) {
    throw usage(`Cannot read ${flag} ${path}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}.`)
  }
  const line = text.split(/\r?\n/)[0] ?? ''
  if (line.length === 0) throw usage(`${flag} ${path} is empty.`)
  return line
}

/**
 * The wallet password. `isNew` (creating a wallet): asked twice on a terminal.
 * @throws CliError exit 3 when no password can be had
 */
export async function walletPassword(options: { passwordFile?: string | undefined; isNew?: boolean }): Promise<string> {
  const fromEnv = process.env[PASSWORD_ENV]
  if (fromEnv !== undefined && fromEnv.length > 0) return fromEnv
  if (options.passwordFile !== undefined) return readPasswordFile(options.passwordFile, '--password-file')
  const message = options.isNew ? 'New wallet password' : 'Wallet password'
  const answer = await askSecret(message, { confirmTwice: options.isNew === true && interactive() })
  if (answer === undefined || answer.length === 0) {
    throw new CliError(EXIT.LOCKED, `No wallet password: set ${PASSWORD_ENV}, pass --password-file, or type it at the prompt.`, {
      code: 'LOCKED',
    })
  }
  return answer
}

/** The password of an imported or exported file: its flag's file, else a prompt or stdin line. */
export async function filePassword(options: {
  file?: string | undefined
  flag: string
  message: string
  confirmTwice?: boolean
}): Promise<string> {
  if (options.file !== undefined) return readPasswordFile(options.file, options.flag)
  const answer = await askSecret(options.message, { confirmTwice: options.confirmTwice === true && interactive() })
  if (answer === undefined || answer.length === 0) throw usage(`No password given: pass ${options.flag} or type it at the prompt.`)
  return answer
}
