/**
 * The README cannot rot: every code block in it is either the whole of examples/quick-start.ts or
 * the `// #region readme` part of a file in examples/readme/ (so `tsc --noEmit` in `npm test`
 * compiles it), and every such file runs here, as a user would (tsx, in an empty folder, on the
 * local chains of `coffer/testing`).
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { anvilBinary } from './support/anvil.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('..', import.meta.url))
const tsx = join(root, 'node_modules/.bin/tsx')
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const blocks = [...readme.matchAll(/^```(?:ts|js|typescript|javascript)\n([\s\S]*?)^```$/gm)].map((m) => m[1]!.replace(/\n$/, ''))

const REGION = /\/\/ #region readme\n([\s\S]*?)\/\/ #endregion readme\n/
const snippetFiles = readdirSync(join(root, 'examples/readme')).filter((f) => f.endsWith('.ts') && f !== 'world.ts')
const sources = new Map<string, string>([
  ['examples/quick-start.ts', readFileSync(join(root, 'examples/quick-start.ts'), 'utf8').replace(/\n$/, '')],
  ...snippetFiles.map((f): [string, string] => {
    const text = readFileSync(join(root, 'examples/readme', f), 'utf8')
    const region = REGION.exec(text)?.[1]
    if (region === undefined) throw new Error(`examples/readme/${f} has no "// #region readme" … "// #endregion readme" part`)
    return [`examples/readme/${f}`, region.replace(/\n$/, '')]
  }),
])

/** Runs a file with tsx in an empty folder (relative paths in the snippets land there). */
async function runAsUser(file: string): Promise<string> {
  const cwd = mkdtempSync(join(tmpdir(), 'coffer-readme-run-'))
  try {
    const { stdout } = await run(tsx, ['--tsconfig', join(root, 'tsconfig.json'), join(root, file)], {
      cwd,
      env: { ...process.env, ANVIL_PATH: anvilBinary() },
      timeout: 120_000,
    })
    return stdout
  } finally {
    rmSync(cwd, { recursive: true, force: true })
  }
}

describe('README code blocks', () => {
  it('are each the quick start or a region of an example file, and every region is in the README', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(sources.size)
    const unknown = blocks.filter((b) => ![...sources.values()].includes(b))
    expect(unknown.map((b) => b.split('\n').slice(0, 3).join('\n'))).toEqual([])
    const unused = [...sources].filter(([, region]) => !blocks.includes(region)).map(([file]) => file)
    expect(unused).toEqual([])
  })

  it('the quick start sends under a daily limit, keeps the limit after a reopen, and gives a Bitcoin receive address', async () => {
    const out = await runAsUser('examples/quick-start.ts')
    expect(out).toMatch(/^fee up to [\d.]+ ETH$/m)
    expect(out).toMatch(/^sent 0x[0-9a-f]{64}$/m)
    expect(out).toMatch(/Refused by policy \(perWindow\): 180 USDC would bring the last 24 h to 205 USDC, over the limit of 200/)
    expect(out).toMatch(/^receive bitcoin at bcrt1q[0-9a-z]{38}$/m)
  }, 180_000)

  for (const file of snippetFiles) {
    it(`examples/readme/${file} runs`, async () => {
      const out = await runAsUser(`examples/readme/${file}`)
      expect(out.trim().length).toBeGreaterThan(0)
    }, 180_000)
  }
})
