/**
 * A local chain never outlives the program that started it: not when the program forgets
 * stop(), not when it is stopped by SIGTERM, not even when it is killed with SIGKILL (the
 * watchdog notices its pipe close). Real child processes, real signals.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CHILD = fileURLToPath(new URL('./chain-child.ts', import.meta.url))
const started: ChildProcess[] = []

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function gone(pid: number, withinMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + withinMs
  while (alive(pid)) {
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return true
}

/** Starts the child program and resolves with its anvil's pid and URL, and how it exits. */
async function child(mode: 'hold' | 'forget') {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, mode], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  started.push(proc)
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).once('line', resolve)
    void exit.then(({ code, signal }) => reject(new Error(`child exited (${code ?? signal}) before starting a chain`)))
  })
  const { pid, rpcUrl } = JSON.parse(line) as { pid: number; rpcUrl: string }
  return { proc, pid, rpcUrl, exit }
}

afterEach(() => {
  for (const proc of started.splice(0)) if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
})

describe('no orphan anvil', () => {
  it('a program that forgets stop() still ends by itself, and its anvil with it', async () => {
    const { pid, exit } = await child('forget')
    expect(await exit).toEqual({ code: 0, signal: null })
    expect(await gone(pid)).toBe(true)
  })

  it('SIGTERM: the anvil is killed and the program still dies of the signal', async () => {
    const { proc, pid, rpcUrl, exit } = await child('hold')
    expect(alive(pid)).toBe(true)
    expect(
      (
        await fetch(rpcUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}',
        })
      ).ok,
    ).toBe(true)
    proc.kill('SIGTERM')
    expect(await exit).toEqual({ code: null, signal: 'SIGTERM' })
    expect(await gone(pid)).toBe(true)
  })

  it('SIGKILL, where no hook can run: the watchdog kills the anvil', async () => {
    const { proc, pid, exit } = await child('hold')
    proc.kill('SIGKILL')
    expect((await exit).signal).toBe('SIGKILL')
    expect(await gone(pid)).toBe(true)
  })
})
