// An app on `coffer/portfolio`: the Portfolio, HTTP prices and the history CSV (adapters come from the chain subpaths).
import { historyToCsv, httpPrices, parseHistoryCsv, Portfolio } from 'coffer/portfolio'

console.log(historyToCsv, httpPrices, parseHistoryCsv, Portfolio)
