/**
 * Ctrl-C and SIGTERM: by default the run ends at once (exit 130 or 143, "cancelled" on
 * stderr); a command that must stop cleanly (`balance --watch`) takes them over while it runs.
 * Prompts on a terminal see Ctrl-C as a key press instead, and end the run with 130 too.
 * @module
 * @internal
 */
import { EXIT } from './output.js'

type StopSignal = 'SIGINT' | 'SIGTERM'
let takeover: ((signal: StopSignal) => void) | undefined

/** Routes SIGINT / SIGTERM to `handler` until the returned function is called. */
export function onStopSignal(handler: (signal: StopSignal) => void): () => void {
  takeover = handler
  return () => {
    if (takeover === handler) takeover = undefined
  }
}

/** Installs the default handlers (once per process). */
export function installSignalHandlers(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (takeover) return takeover(signal)
      process.stderr.write('\nerror: Cancelled.\n')
      process.exit(signal === 'SIGINT' ? EXIT.CANCELLED : EXIT.TERMINATED)
    })
  }
}
