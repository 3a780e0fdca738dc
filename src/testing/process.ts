/**
 * Local node processes that never outlive the program that started them.
 *
 * On Linux and macOS the node runs under a small `sh` watchdog: the watchdog starts the node,
 * reports its pid, and kills it as soon as its own standard input reaches end-of-file — which
 * happens when this process closes the pipe, exits, or is killed, even by SIGKILL (when no exit
 * hook can run). On top of that, `exit`, SIGINT, SIGTERM and SIGHUP hooks kill every node still
 * running by its pid. Stopping a node sends it SIGTERM by pid (SIGKILL after `killAfterMs`) and
 * resolves only when it has exited and been reaped. A running node does not keep the event loop
 * alive: a program that forgets to stop it exits normally, and the exit hook kills the node.
 * @module
 * @internal
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'

/** A node process started by {@link startGuarded}. */
export interface GuardedProcess {
  /** The node's own pid (not the watchdog's). */
  readonly pid: number
  /** The last few kilobytes the node wrote to stdout and stderr. */
  output(): string
  /** True once the node has exited. */
  exited(): boolean
  /** The node's exit code or signal, once it has exited. */
  exitStatus(): string | undefined
  /** Stops the node (SIGTERM, then SIGKILL) and resolves once it is gone. Safe to call twice. */
  stop(): Promise<void>
}

const PID_LINE = /^coffer-testing-pid (\d+)\n/m
// $0 is the watchdog's name; "$@" the node's command line. fd 3 keeps the pipe to us open for
// the reader, which (in the background, where POSIX gives it /dev/null as stdin) waits for EOF.
const WATCHDOG = [
  'exec 3<&0',
  '"$@" </dev/null 3<&- &',
  'child=$!',
  'echo "coffer-testing-pid $child"',
  '(read _ <&3; kill -TERM "$child") >/dev/null 2>&1 &',
  'reader=$!',
  'exec 3<&-',
  'wait "$child"',
  'code=$?',
  'kill "$reader" 2>/dev/null',
  'exit "$code"',
].join('\n')

const running = new Set<{ pid: number; kill(): void }>()
let hooksInstalled = false

function killAll(): void {
  for (const entry of running) entry.kill()
}

function onSignal(signal: NodeJS.Signals): void {
  killAll()
  // Behave as if we were never there: when no one else handles the signal, die of it.
  if (process.listenerCount(signal) === 1) {
    process.removeListener(signal, onSignal)
    process.kill(process.pid, signal)
  }
}

function installHooks(): void {
  if (hooksInstalled) return
  hooksInstalled = true
  process.on('exit', killAll) // synchronous: a kill by pid is all there is time for
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal)
}

function killPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal)
  } catch {
    // already gone
  }
}

/** Options of {@link startGuarded}. */
export interface StartGuardedOptions {
  /** How long SIGTERM gets before SIGKILL, default 3,000 ms. */
  killAfterMs?: number
}

/**
 * Starts `bin args…` under the watchdog (directly on Windows) and resolves once its pid is known.
 * Rejects with the spawn error when the binary cannot be started.
 */
export async function startGuarded(bin: string, args: readonly string[], options: StartGuardedOptions = {}): Promise<GuardedProcess> {
  const killAfterMs = options.killAfterMs ?? 3_000
  const watched = process.platform !== 'win32'
  const child: ChildProcess = watched
    ? spawn('/bin/sh', ['-c', WATCHDOG, 'coffer-testing-watchdog', bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(bin, [...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  installHooks()

  let output = ''
  let status: string | undefined
  const gone = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      status = signal ?? `exit code ${code}`
      resolve()
    })
  })
  const pid = await new Promise<number>((resolve, reject) => {
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-8_000)
      const match = watched ? PID_LINE.exec(output) : null
      if (match) resolve(Number(match[1]))
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    child.once('error', reject)
    if (!watched) child.once('spawn', () => resolve(child.pid!))
    void gone.then(() => reject(new Error(`exited at once (${status}): ${output.trim().slice(-500)}`)))
  })
  output = output.replace(PID_LINE, '').trimStart()
  child.stdin?.on('error', () => undefined) // the watchdog may be gone before we close its pipe

  // A forgotten stop() must not keep the program alive: the exit hook kills the node then.
  child.unref()
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as { unref?: () => void } | null)?.unref?.()

  const entry = { pid, kill: () => killPid(pid, 'SIGKILL') }
  running.add(entry)
  void gone.then(() => running.delete(entry))

  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (status === undefined) {
        killPid(pid, 'SIGTERM')
        child.stdin?.end()
        const timer = setTimeout(() => {
          killPid(pid, 'SIGKILL')
          if (watched) child.kill('SIGKILL')
        }, killAfterMs)
        await gone
        clearTimeout(timer)
      }
      // Without the watchdog, node reaps the child itself; with it, the watchdog reaped it.
      running.delete(entry)
      child.stdout?.destroy()
      child.stderr?.destroy()
    })()
    return stopping
  }

  return {
    pid,
    output: () => output.replace(PID_LINE, '').trim(),
    exited: () => status !== undefined,
    exitStatus: () => status,
    stop,
  }
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => (port ? resolve(port) : reject(new Error('the OS gave no free port'))))
    })
  })
}
