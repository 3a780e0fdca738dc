/**
 * Where the `coffer` command sends people for more: the repository, whose docs/ folder does
 * not ship in the npm package (README.md, CHANGELOG.md, LICENSE and dist do), so help and
 * errors link to it on GitHub rather than to a local path.
 * @module
 * @internal
 */

/** The project's repository (package.json `repository` / `homepage`). */
export const REPOSITORY_URL = 'https://github.com/coffer-wallet/coffer'

/** The command's reference, docs/cli.md, on GitHub; `section` is a heading anchor (`the-config-file`). */
export function cliDocsUrl(section?: string): string {
  return `${REPOSITORY_URL}/blob/main/docs/cli.md${section ? `#${section}` : ''}`
}
