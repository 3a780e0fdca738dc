/**
 * Running the `coffer` command as a user does: a child process with its own working
 * directory, environment and stdin, its stdout / stderr / exit code collected.
 *
 * The command is src/cli/main.ts. By default it is bundled once per test file with esbuild
 * (packages left external, as in the published build), because running it through tsx costs
 * over a second of loader work per spawn on a small machine; COFFER_CLI_RUNNER=tsx runs the
 * source through tsx instead, and `runWithTsx` always does.
 */
import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const MAIN = join(ROOT, 'src/cli/main.ts')
const TSX = join(ROOT, 'node_modules/.bin/tsx')

/** What one run printed and how it ended. */
export interface RunResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Options of a run. */
export interface RunOptions {
  readonly cwd: string
  /** Added to a clean environment (PATH, HOME, COFFER_KDF=pbkdf2). */
  readonly env?: Readonly<Record<string, string>>
  /** Written to stdin, which is then closed (always closed, so the command never waits on it). */
  readonly input?: string
  readonly timeoutMs?: number
}

let bundled: Promise<string> | undefined

/** Bundles src/cli/main.ts into node_modules/.cache (bare imports resolve from the repo). */
export function cliBundle(): Promise<string> {
  bundled ??= (async () => {
    const dir = join(ROOT, 'node_modules/.cache/coffer-cli-test')
    mkdirSync(dir, { recursive: true })
    const outfile = join(dir, `main-${process.pid}-${Date.now().toString(36)}.mjs`)
    await build({
      entryPoints: [MAIN],
      outfile,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent',
    })
    return outfile
  })()
  return bundled
}

function spawnRun(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? options.cwd, COFFER_KDF: 'pbkdf2', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    child.stdin.on('error', () => undefined)
    child.stdin.end(options.input ?? '')
  })
}

/** Runs `coffer <args>`. */
export async function coffer(args: readonly string[], options: RunOptions): Promise<RunResult> {
  if (process.env.COFFER_CLI_RUNNER === 'tsx') return runWithTsx(args, options)
  return spawnRun(process.execPath, [await cliBundle(), ...args], options)
}

/** A `coffer` process left running (for `balance --watch`): wait on its output, then signal it. */
export interface RunningCoffer {
  /** Resolves with stdout so far once it matches `pattern` (rejects after `timeoutMs`). */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<string>
  /** Sends `signal` and resolves with the finished run. */
  stop(signal: NodeJS.Signals): Promise<RunResult>
}

/** Starts `coffer <args>` (bundled) and leaves it running. */
export async function startCoffer(args: readonly string[], options: RunOptions): Promise<RunningCoffer> {
  const child = spawn(process.execPath, [await cliBundle(), ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? options.cwd, COFFER_KDF: 'pbkdf2', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  const listeners = new Set<() => void>()
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    for (const listener of listeners) listener()
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const closed = new Promise<RunResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })))
  const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000)
  return {
    waitForStdout: (pattern, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(stdout)) return
          listeners.delete(check)
          clearTimeout(timer)
          resolve(stdout)
        }
        const timer = setTimeout(() => {
          listeners.delete(check)
          reject(new Error(`no ${pattern} on stdout within ${timeoutMs} ms:\n${stdout}\n--- stderr:\n${stderr}`))
        }, timeoutMs)
        listeners.add(check)
        check()
      }),
    stop: async (signal) => {
      child.kill(signal)
      const result = await closed
      clearTimeout(killer)
      return result
    },
  }
}

/** Runs `coffer <args>` from the TypeScript source through tsx (what `npm run cli` does). */
export function runWithTsx(args: readonly string[], options: RunOptions): Promise<RunResult> {
  return spawnRun(TSX, [MAIN, ...args], options)
}

/** Parses stdout as the one JSON document `--json` promises (fails on anything else). */
export function json<T = Record<string, unknown>>(result: RunResult): T {
  try {
    return JSON.parse(result.stdout) as T
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${result.code}):\n${result.stdout}\n--- stderr:\n${result.stderr}`)
  }
}
