// Time entries held column-wise in typed arrays, so that 200,000 of them seed in well under
// a second and take a few megabytes. `order` keeps row numbers sorted as Harvest lists
// entries (spent_date descending, newest first), maintained on insert; so does each project's
// own row list, so that a project's entries are listed without reading everyone else's.

export const APPROVAL = ['unsubmitted', 'submitted', 'approved'] as const;
export type ApprovalCode = 0 | 1 | 2;

export const FLAG = { billable: 1, billed: 2, locked: 4, running: 8, deleted: 16, closed: 32 } as const;

export const DAY_MS = 86_400_000;
export const dayNumber = (isoDate: string): number => Math.floor(Date.parse(`${isoDate}T00:00:00Z`) / DAY_MS);
export const dayString = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

export interface NewEntry {
  day: number;
  user: number;
  project: number;
  task: number;
  hours: number;
  flags: number;
  approval: ApprovalCode;
  billableRate: number;
  costRate: number;
  createdAt: number;
  notes: string | null;
}

/** Entry ids are a fixed base plus the row number: no id → row map needed. */
export const ENTRY_ID_BASE = 600_000_000;

export class EntryTable {
  size = 0;
  day: Int32Array;
  user: Uint16Array;
  project: Uint16Array;
  task: Uint16Array;
  hours: Float64Array;
  flags: Uint8Array;
  approval: Uint8Array;
  billableRate: Float64Array;
  costRate: Float64Array;
  createdAt: Float64Array;
  updatedAt: Float64Array;
  notes: Array<string | null> = [];
  /** Row numbers in listing order; only the first `size` are used. */
  order: Int32Array;
  /** Per project (row in projects): its rows in listing order. */
  private byProject: number[][] = [];
  invoices = new Map<number, { id: number; number: string }>();

  constructor(capacity = 1024) {
    this.day = new Int32Array(capacity);
    this.user = new Uint16Array(capacity);
    this.project = new Uint16Array(capacity);
    this.task = new Uint16Array(capacity);
    this.hours = new Float64Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.approval = new Uint8Array(capacity);
    this.billableRate = new Float64Array(capacity);
    this.costRate = new Float64Array(capacity);
    this.createdAt = new Float64Array(capacity);
    this.updatedAt = new Float64Array(capacity);
    this.order = new Int32Array(capacity);
  }

  get capacity(): number {
    return this.day.length;
  }

  private grow(): void {
    const next = this.capacity * 2;
    const copy = <T extends Int32Array | Uint16Array | Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(next);
      b.set(a);
      return b;
    };
    this.day = copy(this.day, (n) => new Int32Array(n));
    this.user = copy(this.user, (n) => new Uint16Array(n));
    this.project = copy(this.project, (n) => new Uint16Array(n));
    this.task = copy(this.task, (n) => new Uint16Array(n));
    this.hours = copy(this.hours, (n) => new Float64Array(n));
    this.flags = copy(this.flags, (n) => new Uint8Array(n));
    this.approval = copy(this.approval, (n) => new Uint8Array(n));
    this.billableRate = copy(this.billableRate, (n) => new Float64Array(n));
    this.costRate = copy(this.costRate, (n) => new Float64Array(n));
    this.createdAt = copy(this.createdAt, (n) => new Float64Array(n));
    this.updatedAt = copy(this.updatedAt, (n) => new Float64Array(n));
    this.order = copy(this.order, (n) => new Int32Array(n));
  }

  /** Listing order: later spent_date first; on the same date, the later-created (higher row) first. */
  private before(a: number, b: number): boolean {
    return this.day[a] !== this.day[b] ? this.day[a] > this.day[b] : a > b;
  }

  /**
   * Appends a row. `presorted` (seed data generated in ascending date order) prepends
   * it to `order` in bulk later via `rebuildOrder`; otherwise it is placed by binary search.
   */
  add(e: NewEntry, presorted = false): number {
    if (this.size === this.capacity) this.grow();
    const row = this.size++;
    this.day[row] = e.day;
    this.user[row] = e.user;
    this.project[row] = e.project;
    this.task[row] = e.task;
    this.hours[row] = e.hours;
    this.flags[row] = e.flags;
    this.approval[row] = e.approval;
    this.billableRate[row] = e.billableRate;
    this.costRate[row] = e.costRate;
    this.createdAt[row] = e.createdAt;
    this.updatedAt[row] = e.createdAt;
    this.notes[row] = e.notes;
    if (!presorted) {
      this.place(row, row);
      this.placeInProject(row);
    }
    return row;
  }

  /** The rows of a project in listing order (deleted rows included; readers skip them). */
  rowsOfProject(project: number): readonly number[] {
    return this.byProject[project] ?? [];
  }

  /** Moves a row to another project. */
  setProject(row: number, project: number): void {
    if (this.project[row] === project) return;
    this.removeFromProject(row);
    this.project[row] = project;
    this.placeInProject(row);
  }

  private placeInProject(row: number): void {
    const rows = (this.byProject[this.project[row]] ??= []);
    rows.splice(this.insertionPoint(rows, rows.length, row), 0, row);
  }

  private removeFromProject(row: number): void {
    const rows = this.byProject[this.project[row]];
    const at = rows ? rows.indexOf(row) : -1;
    if (at >= 0) rows!.splice(at, 1);
  }

  /** Inserts `row` into the first `count` slots of `order` by binary search. */
  private place(row: number, count: number): void {
    const at = this.insertionPoint(this.order, count, row);
    this.order.copyWithin(at + 1, at, count);
    this.order[at] = row;
  }

  /** Where `row` goes among the first `count` rows of `rows` (in listing order), by binary search. */
  private insertionPoint(rows: ArrayLike<number>, count: number, row: number): number {
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.before(rows[mid]!, row)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** After bulk seeding in ascending (date, row) order: listing order is simply reversed. */
  rebuildOrder(): void {
    this.byProject = [];
    for (let i = 0; i < this.size; i++) {
      const row = this.size - 1 - i;
      this.order[i] = row;
      (this.byProject[this.project[row]] ??= []).push(row);
    }
  }

  /** Moves a row whose spent date changed to its new place in the listing order. */
  reorder(row: number): void {
    const at = this.order.subarray(0, this.size).indexOf(row);
    this.order.copyWithin(at, at + 1, this.size);
    this.place(row, this.size - 1);
    this.removeFromProject(row);
    this.placeInProject(row);
  }

  rowOf(id: number): number | undefined {
    const row = id - ENTRY_ID_BASE;
    if (!Number.isSafeInteger(row) || row < 0 || row >= this.size || this.flags[row] & FLAG.deleted) return undefined;
    return row;
  }

  idOf(row: number): number {
    return ENTRY_ID_BASE + row;
  }
}
