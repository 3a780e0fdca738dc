/**
 * `coffer/portfolio`: balances of many accounts across chains in one snapshot (totals per
 * asset family, fiat values), live events, merged history and CSV export, and price sources.
 * @module coffer/portfolio
 */
export { Portfolio } from './portfolio.js'
export type { WatchOptions } from './watch-options.js'
export type { KeyValueStore } from '../core/store.js'
export { CofferError, PriceSourceError, ListenerError } from '../core/errors.js'
export type {
  AccountAsset,
  AccountInput,
  BalanceChange,
  PortfolioAccount,
  PortfolioBalance,
  PortfolioChainState,
  PortfolioErrorEvent,
  PortfolioEvents,
  PortfolioHistoryOptions,
  PortfolioOptions,
  PortfolioSnapshot,
  PortfolioStorage,
  PortfolioTotal,
  PortfolioTransfer,
  ReorgEvent,
} from './types.js'
export type { PortfolioHistoryItem, PortfolioHistoryPage } from './history.js'
export {
  fixedPrices,
  knownFamily,
  type FixedPricesOptions,
  type PriceQuote,
  type PriceQuotes,
  type PriceSource,
  type PriceAssetInfo,
  type PriceRequest,
} from './prices.js'
export { httpPrices, type HttpPricesOptions } from './coingecko.js'
export { formatCsv, parseCsv } from './csv.js'
export { historyToCsv, parseHistoryCsv, HISTORY_CSV_COLUMNS, type CsvHistoryItem, type HistoryCsvColumn } from './history-csv.js'
