#!/usr/bin/env node
/**
 * `coffer`: the command line of the coffer SDK, for terminals and scripts. See docs/cli.md.
 *
 * Global flags work before or after the command: `--config <file>`, `--vault <file>`,
 * `--password-file <file>`, `--rpc <chain>=<url>` (repeatable), `--json`, `--debug`, `--yes`.
 * Errors print `error: <one line>` on stderr and exit with the codes in `output.ts`.
 * @module
 * @internal
 */
import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { actionFor } from './commands/action.js'
import * as address from './commands/address.js'
import * as balance from './commands/balance.js'
import * as broadcast from './commands/broadcast.js'
import * as buildTx from './commands/build-tx.js'
import * as exportCommand from './commands/export.js'
import * as history from './commands/history.js'
import * as importCommand from './commands/import.js'
import * as init from './commands/init.js'
import * as journal from './commands/journal.js'
import * as pay from './commands/pay.js'
import * as send from './commands/send.js'
import * as signMessage from './commands/sign-message.js'
import * as signTx from './commands/sign-tx.js'
import * as watch from './commands/watch.js'
import { cliDocsUrl, REPOSITORY_URL } from './links.js'
import { EXIT, exitCodeOf, Output, toJson } from './output.js'
import { installSignalHandlers } from './signals.js'

const HELP_AFTER = `
Environment:
  COFFER_PASSWORD   the wallet password (else --password-file, a prompt, or one line of stdin)
  COFFER_KDF        KDF of new vaults: scrypt (default) or pbkdf2 (faster; for tests and slow machines)

Exit codes: 0 ok, 1 failure, 2 usage/config, 3 wrong password/locked, 4 refused by policy,
  5 insufficient funds, 6 network/RPC, 7 journal verification failed, 8 refused by the node
  (nothing sent), 9 broadcast outcome unknown (may be on its way: never pay again), 130 cancelled.
Reference: ${cliDocsUrl()}
Project:   ${REPOSITORY_URL}`

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version
  } catch {
    return 'unknown'
  }
}

/** The `coffer` program; actions print through `out`. */
export function buildProgram(out: Output): Command {
  const program = new Command('coffer')
    .description('A self-custody wallet for crypto and stablecoins: keys stay encrypted on this machine.')
    .version(version(), '-V, --version')
    .option('--config <file>', 'config file (default: ./coffer.config.json when present)')
    .option(
      '--vault <file>',
      'the wallet file; its journal and records are kept beside it as <file>.<record> (default: "vault" of the config, else ./coffer-wallet)',
    )
    .option('--password-file <file>', 'read the wallet password from the first line of this file')
    .option(
      '--rpc <chain=url>',
      'RPC URL for a chain (configured name or CAIP-2 id; repeatable)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--json', 'print one JSON document on stdout (amounts as decimal strings)')
    .option('--debug', 'print stack traces with errors')
    .option('-y, --yes', 'answer yes to every confirmation')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', HELP_AFTER)
  const action = actionFor(out)
  for (const command of [
    init,
    importCommand,
    address,
    balance,
    send,
    pay,
    signMessage,
    buildTx,
    signTx,
    broadcast,
    exportCommand,
    history,
    journal,
    watch,
  ])
    command.register(program, action)
  return program
}

/** Runs `coffer` with `argv` (node and script first, like process.argv); resolves with the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  const out = new Output({ json: argv.includes('--json'), debug: argv.includes('--debug') })
  const program = buildProgram(out)
  try {
    await program.parseAsync([...argv])
    return EXIT.OK
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander printed its message (or the help) already.
      if (error.exitCode === 0) return EXIT.OK
      if (out.json)
        process.stdout.write(
          `${toJson({ error: { code: 'USAGE', message: error.message.replace(/^error: /, ''), exitCode: EXIT.USAGE } })}\n`,
        )
      return EXIT.USAGE
    }
    const code = exitCodeOf(error)
    out.error(error, code)
    return code
  }
}

async function exit(code: number): Promise<never> {
  // Let stdout and stderr drain (pipes), then end even if sockets or stdin keep the loop alive.
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve()))))
  process.exit(code)
}

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT.OK)
})
installSignalHandlers()
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`error: ${reason instanceof Error ? reason.message.split('\n')[0] : String(reason)}\n`)
  process.exit(EXIT.FAILURE)
})
await exit(await run(process.argv))
