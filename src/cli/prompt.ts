/**
 * Asking the user: on a terminal through @inquirer/prompts (secrets without echo), written to
 * stderr so stdout keeps only the command's output; without a terminal, one line of stdin per
 * question, in the order the questions come (so scripts can pipe answers in).
 * @module
 * @internal
 */
import { confirm, password } from '@inquirer/prompts'
import { createInterface, type Interface } from 'node:readline'
import { usage } from './output.js'

const CONTEXT = { output: process.stderr } as const

/** True when questions can be asked on a terminal. */
export function interactive(): boolean {
  return process.stdin.isTTY === true
}

let reader: { rl: Interface; lines: string[]; waiting: ((line: string | undefined) => void)[]; closed: boolean } | undefined

/** The next line of stdin (without its line break), or undefined at end of input. */
function readStdinLine(): Promise<string | undefined> {
  if (!reader) {
    const rl = createInterface({ input: process.stdin, terminal: false, crlfDelay: Infinity })
    const state = { rl, lines: [] as string[], waiting: [] as ((line: string | undefined) => void)[], closed: false }
    rl.on('line', (line) => {
      const next = state.waiting.shift()
      if (next) next(line)
      else state.lines.push(line)
    })
    rl.on('close', () => {
      state.closed = true
      for (const waiter of state.waiting.splice(0)) waiter(undefined)
    })
    reader = state
  }
  const r = reader
  const line = r.lines.shift()
  if (line !== undefined) return Promise.resolve(line)
  if (r.closed) return Promise.resolve(undefined)
  return new Promise((resolve) => r.waiting.push(resolve))
}

/**
 * A secret (password, phrase): typed without echo on a terminal (twice with `confirmTwice`),
 * else the next stdin line. Undefined when stdin has no more lines.
 */
export async function askSecret(message: string, options: { confirmTwice?: boolean } = {}): Promise<string | undefined> {
  if (!interactive()) return readStdinLine()
  for (;;) {
    const first = await password({ message }, CONTEXT)
    if (!options.confirmTwice) return first
    const second = await password({ message: 'Again, to confirm' }, CONTEXT)
    if (first === second) return first
    process.stderr.write('They differ; try again.\n')
  }
}

/**
 * A yes/no question, default no. On a terminal an inquirer confirm; else the next stdin line,
 * where only `y` or `yes` (any case) mean yes and end of input means no.
 */
export async function askConfirm(message: string): Promise<boolean> {
  if (interactive()) return confirm({ message, default: false }, CONTEXT)
  process.stderr.write(`${message} [y/N] `)
  const line = await readStdinLine()
  process.stderr.write(line === undefined ? '(no answer)\n' : '\n')
  return line !== undefined && /^\s*(y|yes)\s*$/i.test(line)
}

/** A secret that must be given: else exit 2 with `hint`. */
export async function requireSecret(message: string, hint: string, options: { confirmTwice?: boolean } = {}): Promise<string> {
  const value = await askSecret(message, options)
  if (value === undefined || value.length === 0) throw usage(hint)
  return value
}
