/**
 * The README is also the npm page, where a relative link (`docs/cli.md`) either 404s or is
 * rewritten to GitHub at npm's discretion, and where `docs/` and `examples/` are not in the
 * package anyway. So: every link is absolute or an in-page anchor, and every link into this
 * repository names a file or folder that exists.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { root } from './packed.js'

const REPO = 'https://github.com/coffer-wallet/coffer'
const readme = readFileSync(join(root, 'README.md'), 'utf8')
  // Fenced code is not rendered as links.
  .replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '')
/** Targets of `[text](target)`, `![alt](target)` and `[label]: target` links. */
const targets = [
  ...[...readme.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!),
  ...[...readme.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map((m) => m[1]!),
  ...[...readme.matchAll(/<(?:a|img)\b[^>]*\b(?:href|src)="([^"]+)"/g)].map((m) => m[1]!),
]

describe('README links (the npm page)', () => {
  it('has no relative links: npm does not ship docs/ or examples/, and does not serve files at relative URLs', () => {
    const relative = targets.filter((t) => !/^(https?:|mailto:|#)/.test(t))
    expect(relative, `use ${REPO}/blob/main/<path> (files) or ${REPO}/tree/main/<path> (folders)`).toEqual([])
  })

  it('links into this repository only to paths that exist', () => {
    const missing = targets
      .map((t) => t.match(new RegExp(`^${REPO.replace(/[.]/g, '\\.')}/(?:blob|tree)/[^/]+/([^#?]+)`))?.[1])
      .filter((path): path is string => path !== undefined && !existsSync(join(root, decodeURIComponent(path))))
    expect(missing).toEqual([])
  })
})
