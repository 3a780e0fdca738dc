// A module-resolution hook for child processes: `node --import ./hide-package.mjs …` with
// HIDE=<package> makes that package (and its subpaths) fail to resolve, as if not installed.
import { register } from 'node:module'

const hook = `
export async function resolve(specifier, context, next) {
  const hidden = ${JSON.stringify(process.env.HIDE ?? '')}
  if (hidden && (specifier === hidden || specifier.startsWith(hidden + '/'))) {
    const error = new Error("Cannot find package '" + specifier + "' imported from " + context.parentURL)
    error.code = 'ERR_MODULE_NOT_FOUND'
    throw error
  }
  return next(specifier, context)
}`
register(`data:text/javascript,${encodeURIComponent(hook)}`)
