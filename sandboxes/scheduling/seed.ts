// Deterministic seed data for the scheduling sandbox: `small` for tests and the default
// start, `large` (300 consultants, 2,000 projects, ~6,000 allocations) for benchmarks.
import type { SeededRandom } from '../kit/random.js';
import type { SeedSize } from '../kit/app.js';
import type { FloatPerson, FloatTaskStatus } from './vendor-types.js';
import { emptySchedulingState, floatNow, type SchedulingState } from './state.js';

const FIRST = [
  'Amira',
  'Ben',
  'Chloé',
  'Dev',
  'Elena',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kofi',
  'Lena',
  'Mateo',
  'Nora',
  'Omar',
  'Priya',
];
const LAST = ['Haddad', 'Okafor', 'Martin', 'Patel', 'Rossi', 'Nakamura', 'Schmidt', 'Silva', 'Kowalski', 'Dubois', 'Larsen', 'Moreau'];
const ROLES = [
  { title: 'Analyst', bill: 95, cost: 45 },
  { title: 'Consultant', bill: 140, cost: 65 },
  { title: 'Senior Consultant', bill: 185, cost: 90 },
  { title: 'Manager', bill: 230, cost: 115 },
  { title: 'Architect', bill: 210, cost: 105 },
];
const DEPARTMENTS = ['Advisory', 'Delivery', 'Data & AI', 'Finance Transformation'];
const PROJECT_WORDS = [
  'ERP rollout',
  'Data platform',
  'Finance close',
  'CRM migration',
  'Cloud landing zone',
  'Audit readiness',
  'Pricing review',
];
const CLIENTS = ['Northwind', 'Contoso', 'Fabrikam', 'Tailspin', 'Litware', 'Adatum', 'Woodgrove', 'Proseware'];

const SIZES: Record<SeedSize, { people: number; projects: number; tasksPerPerson: number }> = {
  small: { people: 6, projects: 3, tasksPerPerson: 1 },
  large: { people: 300, projects: 2000, tasksPerPerson: 20 },
};

function isoDay(base: number, offsetDays: number): string {
  return new Date(base + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

export function seedScheduling(size: SeedSize, rng: SeededRandom): SchedulingState {
  const state = emptySchedulingState();
  const sizes = SIZES[size];
  const stamp = floatNow(new Date(Date.UTC(2025, 0, 6, 9, 0, 0)));
  const monday = Date.UTC(2025, 0, 6);
  DEPARTMENTS.forEach((name, i) => state.departments.set(i + 1, { department_id: i + 1, name }));

  for (let i = 0; i < sizes.people; i++) {
    const role = ROLES[i % ROLES.length];
    const first = FIRST[i % FIRST.length];
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length];
    const id = state.nextId.people++;
    const partTime = rng.chance(0.1);
    const person: FloatPerson = {
      people_id: id,
      name: `${first} ${last}${i >= FIRST.length * LAST.length ? ` ${i}` : ''}`,
      email: `${first
        .toLowerCase()
        .normalize('NFD')
        .replace(/[^a-z]/g, '')}.${last.toLowerCase()}${i}@example.com`,
      job_title: role.title,
      department: state.departments.get((i % DEPARTMENTS.length) + 1) ?? null,
      employee_type: partTime ? 0 : 1,
      people_type_id: rng.chance(0.1) ? 2 : 1,
      default_hourly_rate: `${role.bill}.00`,
      cost_rate: `${role.cost}.00`,
      work_days_hours: partTime ? [6, 6, 6, 6, 0, 0, 0] : [8, 8, 8, 8, 8, 0, 0],
      active: 1,
      tags: [],
      start_date: '2022-01-03',
      end_date: null,
      created: stamp,
      modified: stamp,
    };
    state.people.set(id, person);
  }

  for (let i = 0; i < sizes.projects; i++) {
    const id = state.nextId.project++;
    state.projects.set(id, {
      project_id: id,
      name: `${CLIENTS[i % CLIENTS.length]} ${PROJECT_WORDS[i % PROJECT_WORDS.length]}${i >= CLIENTS.length ? ` ${Math.floor(i / CLIENTS.length) + 1}` : ''}`,
      client_id: 100 + (i % CLIENTS.length),
      budget_total: `${rng.int(20, 400) * 1000}.00`,
      non_billable: i % 11 === 10 ? 1 : 0,
      tentative: 0,
      active: 1,
      tags: [],
      notes: null,
      created: stamp,
      modified: stamp,
    });
  }

  const projectIds = [...state.projects.keys()];
  const statuses: FloatTaskStatus[] = [1, 2, 2, 2, 3];
  for (const person of state.people.values()) {
    for (let t = 0; t < sizes.tasksPerPerson; t++) {
      const id = state.nextId.task++;
      const start = t * 14 + rng.int(0, 3);
      state.tasks.set(id, {
        task_id: id,
        project_id: rng.pick(projectIds),
        people_id: person.people_id,
        start_date: isoDay(monday, start),
        end_date: isoDay(monday, start + rng.int(4, 11)),
        hours: rng.pick([2, 4, 6, 7.5, 8]),
        status: rng.pick(statuses),
        name: null,
        notes: null,
        created: stamp,
        modified: stamp,
      });
    }
  }
  return state;
}
