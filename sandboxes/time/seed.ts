// Deterministic seed data for the time sandbox. `small`: 3 users, 3 projects, three weeks of
// entries in every approval state. `large`: 300 consultants, 100 clients, 2,000 projects and
// 200,000 entries, generated straight into typed arrays in listing order.
import type { SeededRandom } from '../kit/random.js';
import type { SeedSize } from '../kit/app.js';
import { DAY_MS, EntryTable, FLAG, dayNumber, type ApprovalCode } from './entry-table.js';
import { emptyTimeState, type TimeState } from './state.js';
import { lockedReason } from './entries-view.js';

const FIRST = ['Kim', 'Luca', 'Maya', 'Noah', 'Olga', 'Pavel', 'Rosa', 'Sami', 'Tara', 'Umar', 'Vera', 'Wen'];
const LAST = ['Allen', 'Berg', 'Costa', 'Dahl', 'Evans', 'Fischer', 'Garcia', 'Holm', 'Ito', 'Jensen'];
const CLIENT_NAMES = ['Northwind', 'Contoso', 'Fabrikam', 'Tailspin', 'Litware', 'Adatum', 'Woodgrove', 'Proseware', 'Lucerne', 'Wingtip'];
const CURRENCIES = ['EUR', 'USD', 'GBP', 'EUR', 'JPY'];
// Tasks are delivery roles, as firms that bill by role set Harvest up; the last one is internal time.
const TASKS = ['Analyst', 'Consultant', 'Senior Consultant', 'Manager', 'Internal'];
const NOTES = ['Workshop with finance team', 'Mapping chart of accounts', 'Data migration dry run', 'Status meeting', 'Test cycle 2', null];
const RATES = [
  [95, 45],
  [140, 65],
  [185, 90],
  [230, 115],
];

const SIZES: Record<SeedSize, { users: number; clients: number; projects: number; entries: number; days: number; billedAge: number }> = {
  small: { users: 3, clients: 2, projects: 3, entries: 42, days: 21, billedAge: 17 },
  large: { users: 300, clients: 100, projects: 2000, entries: 200_000, days: 336, billedAge: 35 },
};

/** The seed's "today": entries end the day before; approval and billing age from here. */
export const SEED_TODAY = '2025-06-30';

export function seedTime(size: SeedSize, rng: SeededRandom): TimeState {
  const state = emptyTimeState();
  const s = SIZES[size];
  for (let i = 0; i < s.users; i++) {
    const [bill, cost] = RATES[i % RATES.length];
    state.users.push({
      id: 1_780_001 + i,
      name: `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}${i >= FIRST.length * LAST.length ? ` ${i}` : ''}`,
      billableRate: bill,
      costRate: cost,
    });
  }
  for (let i = 0; i < s.clients; i++) {
    state.clients.push({
      id: 5_730_001 + i,
      name: `${CLIENT_NAMES[i % CLIENT_NAMES.length]}${i >= CLIENT_NAMES.length ? ` ${Math.floor(i / CLIENT_NAMES.length) + 1}` : ''}`,
      currency: CURRENCIES[i % CURRENCIES.length],
    });
  }
  for (let i = 0; i < s.projects; i++) {
    const created = Date.parse('2024-06-03T09:00:00Z');
    state.projects.push({
      id: 14_300_001 + i,
      name: `Engagement ${i + 1}`,
      code: `P${String(i + 1).padStart(4, '0')}`,
      client: i % s.clients,
      billable: true,
      active: true,
      createdAt: created,
      updatedAt: created,
    });
  }
  TASKS.forEach((name, i) => state.tasks.push({ id: 8_083_001 + i, name }));
  state.expenseCategories.push(
    { id: 4_195_001, name: 'Travel', unit_price: null, unit_name: null },
    { id: 4_195_002, name: 'Meals', unit_price: null, unit_name: null },
    { id: 4_195_003, name: 'Mileage', unit_price: 0.5, unit_name: 'mile' },
  );

  const today = dayNumber(SEED_TODAY);
  const firstDay = today - s.days;
  const perDay = Math.ceil(s.entries / s.days);
  const table = new EntryTable(s.entries + 1024);
  // Each user works on a handful of projects, so that per-project queries find real weeks of work.
  const userProjects = state.users.map((_, u) => [0, 1, 2].map((k) => (u * 7 + k * 13) % s.projects));
  let made = 0;
  for (let day = firstDay; day < today && made < s.entries; day++) {
    const age = today - day;
    for (let k = 0; k < perDay && made < s.entries; k++, made++) {
      const user = (made * 7919) % s.users;
      const project = userProjects[user][rng.int(0, 2)];
      // Older work is approved (and mostly billed); the last two weeks are submitted or open.
      const approval: ApprovalCode = age > 14 ? 2 : age > 7 ? (rng.chance(0.7) ? 2 : 1) : rng.chance(0.5) ? 1 : 0;
      const billable = rng.chance(0.85);
      const task = billable ? user % RATES.length : TASKS.length - 1;
      let flags = billable ? FLAG.billable : 0;
      if (approval === 2) flags |= FLAG.locked | FLAG.closed;
      if (approval === 2 && billable && age > s.billedAge) flags |= FLAG.billed;
      const { billableRate, costRate } = state.users[user];
      table.add(
        {
          day,
          user,
          project,
          task,
          hours: rng.int(2, 32) / 4,
          flags,
          approval,
          billableRate,
          costRate,
          createdAt: day * DAY_MS + 17 * 3_600_000 + k * 1000,
          notes: NOTES[rng.int(0, NOTES.length - 1)],
        },
        true,
      );
    }
  }
  table.rebuildOrder();
  state.entries = table;

  const expenseCount = size === 'small' ? 4 : 3000;
  for (let i = 0; i < expenseCount; i++) {
    const day = firstDay + Math.floor((i * s.days) / expenseCount);
    const user = i % s.users;
    const project = state.projects[userProjects[user][0]];
    const client = state.clients[project.client];
    const category = state.expenseCategories[i % 2];
    const age = today - day;
    const approved = age > 14;
    const whole = client.currency === 'JPY' ? rng.int(10, 500) * 100 : rng.int(1000, 40000) / 100;
    const stamp = new Date(day * DAY_MS + 18 * 3_600_000).toISOString().replace('.000Z', 'Z');
    state.expenses.push({
      id: state.nextExpenseId++,
      spent_date: new Date(day * DAY_MS).toISOString().slice(0, 10),
      user: { id: state.users[user].id, name: state.users[user].name },
      client: { id: client.id, name: client.name, currency: client.currency },
      project: { id: project.id, name: project.name, code: project.code },
      expense_category: { ...category },
      notes: category.name === 'Travel' ? 'Train to client site' : 'Team lunch',
      units: null,
      total_cost: whole,
      billable: true,
      is_closed: approved,
      is_locked: approved,
      is_billed: approved && age > s.billedAge,
      locked_reason: lockedReason(approved, approved && age > s.billedAge),
      approval: approved ? 'approved' : 'submitted',
      invoice: null,
      receipt: null,
      created_at: stamp,
      updated_at: stamp,
    });
  }
  return state;
}
