/**
 * The child side of the line protocol test/support/child-process.ts speaks: one JSON command per
 * line on stdin (`{ id, op, ...fields }`), one JSON answer per line on stdout (`{ id, ok: true,
 * result }` or `{ id, ok: false, error: { name, code, message } }`). The process exits when stdin closes.
 */
import { createInterface } from 'node:readline'

/** One command from the parent. */
export interface Command {
  id: number
  op: string
  [field: string]: unknown
}

/** Answers commands with `ops[cmd.op](cmd)`. */
export function serve(ops: Record<string, (cmd: Command) => Promise<unknown>>): void {
  const lines = createInterface({ input: process.stdin })
  lines.on('line', (line) => {
    const cmd = JSON.parse(line) as Command
    const op = ops[cmd.op]
    void (async () => {
      try {
        if (!op) throw new Error(`unknown op ${cmd.op}`)
        process.stdout.write(`${JSON.stringify({ id: cmd.id, ok: true, result: await op(cmd) })}\n`)
      } catch (error) {
        const e = error as { name?: string; code?: string; message?: string }
        process.stdout.write(
          `${JSON.stringify({ id: cmd.id, ok: false, error: { name: e.name ?? 'Error', code: e.code ?? 'ERROR', message: String(e.message ?? error) } })}\n`,
        )
      }
    })()
  })
  lines.on('close', () => process.exit(0))
}
