// Calendar arithmetic for bookings: an assignment books `minutesPerWeek` spread over the
// working days (Monday to Friday) it covers, so a part week books its share.
const DAY = 86_400_000;

const ms = (date: string) => Date.parse(`${date}T00:00:00Z`);
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

/** The Monday of the week containing `date`. */
export function weekStart(date: string): string {
  const t = ms(date);
  const dow = (new Date(t).getUTCDay() + 6) % 7; // Monday 0
  return iso(t - dow * DAY);
}

export function monthStart(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

export interface Booking {
  startDate: string;
  endDate: string;
  minutesPerWeek: number;
}

/** Minutes booked per period (keyed by `periodOf` a day) between the booking's first and last day, and from/to. */
export function bookedMinutes(b: Booking, periodOf: (date: string) => string, from?: string, to?: string): Map<string, number> {
  const first = Math.max(ms(b.startDate), from ? ms(from) : -Infinity);
  const last = Math.min(ms(b.endDate), to ? ms(to) : Infinity);
  const workingDays = new Map<string, number>();
  for (let t = first; t <= last; t += DAY) {
    const dow = new Date(t).getUTCDay();
    if (dow === 0 || dow === 6) continue;
    const period = periodOf(iso(t));
    workingDays.set(period, (workingDays.get(period) ?? 0) + 1);
  }
  const out = new Map<string, number>();
  for (const [period, days] of workingDays) out.set(period, Math.round((b.minutesPerWeek * days) / 5));
  return out;
}
