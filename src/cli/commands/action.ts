/**
 * The glue between commander and a command: every action gets the run's {@link Context}
 * (global flags, config, storage), its positional arguments and its own options.
 * @module
 * @internal
 */
import type { Command } from 'commander'
import { Context, type GlobalOptions } from '../context.js'
import type { Output } from '../output.js'

/** A command's body. */
type Handler<O> = (ctx: Context, args: string[], options: O) => Promise<void>

/** Wraps a handler as a commander action. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Action = <O = any>(handler: Handler<O>) => (...raw: unknown[]) => Promise<void>

/** The action wrapper for one run, printing through `out`. */
export function actionFor(out: Output): Action {
  return <O>(handler: Handler<O>) =>
    async (...raw: unknown[]) => {
      const command = raw[raw.length - 1] as Command
      const options = raw[raw.length - 2] as O
      const args = raw.slice(0, -2) as string[]
      const ctx = new Context(command.optsWithGlobals() as GlobalOptions, out)
      await handler(ctx, args, options)
    }
}
