// An app on `coffer/watch`: the deposit watcher, its store and the SQL clients (the database client itself is the app's).
import { DepositStore, DepositWatcher, pgClient, pgliteClient } from 'coffer/watch'

console.log(DepositStore, DepositWatcher, pgClient, pgliteClient)
