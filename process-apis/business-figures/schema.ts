// Row types of the business figures' tables (migration 0260). Instants are epoch milliseconds.

export interface BfSnapshotsTable {
  computed_at_ms: number;
  window_days: number;
  /** The figures as the executive page shows them (ExecutiveFigure[]), as JSON. */
  figures: string;
  /** The replica that computed them. */
  computed_by: string;
}

export interface BfPointsTable {
  at_ms: number;
  figure: string;
  /** ISO 4217 code of a money figure's amount, '' for the others. */
  currency: string;
  unit: 'days' | 'ratio' | 'money' | 'count' | 'hours' | 'seconds';
  /** Money in minor units; ratios 0–1; the rest as named by the unit. */
  value: number;
}

declare module '../../core/store/schema.js' {
  interface Database {
    bf_snapshots: BfSnapshotsTable;
    bf_points: BfPointsTable;
  }
}
