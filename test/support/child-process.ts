/** Spawns a test/support/*-child.ts script as a real separate Node process and talks to it line by line. */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** An error a child reported. */
interface ChildError {
  name: string
  code?: string
  message: string
}
/** A child's answer: its result, or the error it hit. */
type Answer<T> = { ok: true; result: T } | { ok: false; error: ChildError }

/** A running child process. */
export interface Child {
  readonly pid: number
  /** Sends a command and resolves with the child's answer. */
  ask<T = unknown>(op: string, fields?: Record<string, unknown>): Promise<Answer<T>>
  /** Sends a command and resolves with its result; rejects if the child reported an error. */
  run<T = unknown>(op: string, fields?: Record<string, unknown>): Promise<T>
  /** Kills it with `signal` and waits until it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>
}

/** Running children and the promise of their exit. */
const children = new Map<ChildProcess, Promise<void>>()

/** Starts a child: `node --import tsx test/support/<script>` (default the storage child). */
export function startChild(script = 'storage-child.ts'): Child {
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url))
  const proc = spawn(process.execPath, ['--import', 'tsx', path], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] })
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  children.set(proc, exited)
  void exited.then(() => children.delete(proc))
  const waiting = new Map<number, (answer: Answer<unknown>) => void>()
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    const answer = JSON.parse(line) as Answer<unknown> & { id: number }
    if (answer.id === undefined) return
    waiting.get(answer.id)?.(answer)
    waiting.delete(answer.id)
  })
  let next = 0
  const ask = <T>(op: string, fields: Record<string, unknown> = {}) =>
    new Promise<Answer<T>>((resolve, reject) => {
      const id = ++next
      waiting.set(id, resolve as (answer: Answer<unknown>) => void)
      void exited.then(() => reject(new Error(`child ${proc.pid} exited before answering ${op}`)))
      proc.stdin!.write(`${JSON.stringify({ id, op, ...fields })}\n`)
    })
  return {
    pid: proc.pid as number,
    ask,
    async run<T>(op: string, fields?: Record<string, unknown>) {
      const answer = await ask<T>(op, fields)
      if (!answer.ok) throw new Error(`child ${op} failed: ${answer.error.name}: ${answer.error.message}`)
      return answer.result
    },
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal)
      await exited
    },
  }
}

/** Stops every child still running (afterEach). */
export async function stopChildren(): Promise<void> {
  await Promise.all(
    [...children].map(async ([proc, exited]) => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
      await exited
    }),
  )
}
