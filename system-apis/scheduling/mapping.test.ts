import { describe, expect, it } from 'vitest';
import {
  assignmentToTaskInput,
  floatProjectToProject,
  floatTimestampToIso,
  hoursToMinutes,
  minutesToHours,
  personToResource,
  placeholderForRole,
  projectToFloatInput,
  resourceToPersonInput,
  staffingRequestToTaskInput,
  taskToAssignment,
  taskToStaffingRequest,
} from './mapping.js';
import type { FloatPerson, FloatProject, FloatTask } from './vendor-types.js';
import { ProblemError } from '../../core/problems.js';

const person: FloatPerson = {
  people_id: 1042,
  name: 'Amira Haddad',
  email: 'amira.haddad@example.com',
  job_title: 'Senior Consultant',
  department: { department_id: 7, name: 'Advisory' },
  employee_type: 1,
  people_type_id: 1,
  default_hourly_rate: '185.00',
  cost_rate: '92.50',
  work_days_hours: [8, 8, 8, 8, 7.5, 0, 0],
  active: 1,
  tags: ['finance'],
  start_date: '2023-01-09',
  end_date: null,
  created: '2024-02-01 09:15:00',
  modified: '2025-03-04 16:20:05',
};

const project: FloatProject = {
  project_id: 88,
  name: 'Northwind ERP rollout',
  client_id: 12,
  budget_total: '120000.00',
  non_billable: 0,
  tentative: 0,
  active: 1,
  tags: ['erp'],
  notes: null,
  created: '2025-01-02 08:00:00',
  modified: '2025-01-03 08:00:00',
};

const task: FloatTask = {
  task_id: 55012,
  project_id: 88,
  people_id: 1042,
  start_date: '2025-04-07',
  end_date: '2025-04-18',
  hours: 6.25,
  status: 2,
  name: 'Discovery',
  notes: 'Workshops on site',
  created: '2025-03-30 10:00:00',
  modified: '2025-03-31 11:30:00',
};

describe('scheduling mapping: people ↔ resources', () => {
  it('maps a Float person to a canonical resource with money in minor units', () => {
    const resource = personToResource(person, 'res-1', 'EUR');
    expect(resource).toEqual({
      id: 'res-1',
      name: 'Amira Haddad',
      email: 'amira.haddad@example.com',
      role: 'Senior Consultant',
      department: 'Advisory',
      employmentType: 'employee',
      fullTime: true,
      costRate: { amountMinor: 9250, currency: 'EUR' },
      billRate: { amountMinor: 18500, currency: 'EUR' },
      dailyCapacityMinutes: [480, 480, 480, 480, 450, 0, 0],
      weeklyCapacityMinutes: 2370,
      active: true,
      updatedAt: '2025-03-04T16:20:05Z',
    });
  });

  it('round-trips a resource back to the Float person body', () => {
    const resource = personToResource(person, 'res-1', 'EUR');
    const body = resourceToPersonInput(resource, 'EUR');
    expect(body).toMatchObject({
      name: person.name,
      job_title: person.job_title,
      people_type_id: 1,
      employee_type: 1,
      default_hourly_rate: '185.00',
      cost_rate: '92.50',
      work_days_hours: person.work_days_hours,
      active: 1,
    });
  });

  it('uses per-currency minor units and rejects excess precision', () => {
    expect(personToResource({ ...person, default_hourly_rate: '21000', cost_rate: '9000' }, 'r', 'JPY').billRate).toEqual({ amountMinor: 21000, currency: 'JPY' });
    expect(personToResource({ ...person, cost_rate: '45.125', default_hourly_rate: '90.5' }, 'r', 'KWD').costRate).toEqual({ amountMinor: 45125, currency: 'KWD' });
    expect(() => personToResource({ ...person, cost_rate: '45.125' }, 'r', 'EUR')).toThrow(ProblemError);
  });

  it('refuses a rate in another currency than the account', () => {
    const resource = personToResource(person, 'res-1', 'EUR');
    expect(() => resourceToPersonInput({ ...resource, billRate: { amountMinor: 100, currency: 'USD' } }, 'EUR')).toThrow(/holds amounts in EUR/);
  });

  it('maps placeholders and contractors', () => {
    expect(personToResource({ ...person, people_type_id: 3, default_hourly_rate: null, cost_rate: null }, 'r', 'EUR')).toMatchObject({
      employmentType: 'placeholder', billRate: null, costRate: null,
    });
    expect(personToResource({ ...person, people_type_id: 2, employee_type: 0 }, 'r', 'EUR')).toMatchObject({ employmentType: 'contractor', fullTime: false });
    expect(placeholderForRole('Data Engineer')).toMatchObject({ people_type_id: 3, job_title: 'Data Engineer' });
  });
});

describe('scheduling mapping: projects, allocations, staffing requests', () => {
  it('maps projects both ways', () => {
    const p = floatProjectToProject(project, 'prj-1', 'GBP');
    expect(p).toEqual({ id: 'prj-1', name: project.name, billable: true, tentative: false, active: true, budget: { amountMinor: 12000000, currency: 'GBP' }, tags: ['erp'], updatedAt: '2025-01-03T08:00:00Z' });
    expect(projectToFloatInput({ name: p.name, billable: false, budget: p.budget, tags: p.tags }, 'GBP')).toEqual({ name: project.name, non_billable: 1, tentative: 0, budget_total: '120000.00', tags: ['erp'] });
  });

  it('maps an allocation to an assignment and back', () => {
    const a = taskToAssignment(task, { id: 'asg-1', resourceId: 'res-1', projectId: 'prj-1' });
    expect(a).toEqual({ id: 'asg-1', resourceId: 'res-1', projectId: 'prj-1', startDate: '2025-04-07', endDate: '2025-04-18', minutesPerDay: 375, status: 'confirmed', notes: 'Workshops on site', updatedAt: '2025-03-31T11:30:00Z' });
    expect(assignmentToTaskInput(a, { peopleId: 1042, projectId: 88 })).toEqual({ project_id: 88, people_id: 1042, start_date: '2025-04-07', end_date: '2025-04-18', hours: 6.25, status: 2, notes: 'Workshops on site' });
    expect(taskToAssignment({ ...task, status: 1 }, { id: 'a', resourceId: 'r', projectId: 'p' }).status).toBe('tentative');
    expect(taskToAssignment({ ...task, status: 3 }, { id: 'a', resourceId: 'r', projectId: 'p' }).status).toBe('completed');
    expect(() => taskToAssignment({ ...task, status: 9 as never }, { id: 'a', resourceId: 'r', projectId: 'p' })).toThrow(/Unknown allocation status/);
  });

  it('validates assignment dates and minutes', () => {
    const base = { resourceId: 'r', projectId: 'p', startDate: '2025-04-07', endDate: '2025-04-01', minutesPerDay: 60 };
    expect(() => assignmentToTaskInput(base, { peopleId: 1, projectId: 1 })).toThrow(/before startDate/);
    expect(() => assignmentToTaskInput({ ...base, endDate: '2025-04-09', minutesPerDay: 0 }, { peopleId: 1, projectId: 1 })).toThrow(/minutesPerDay/);
    expect(() => assignmentToTaskInput({ ...base, startDate: '07/04/2025' }, { peopleId: 1, projectId: 1 })).toThrow(/plain date/);
  });

  it('rounds hours to minutes and back without drift', () => {
    expect(hoursToMinutes(1.25)).toBe(75);
    expect(hoursToMinutes(0.01)).toBe(1);
    expect(hoursToMinutes(7.999)).toBe(480);
    for (let m = 0; m <= 24 * 60; m++) expect(hoursToMinutes(minutesToHours(m))).toBe(m);
    expect(() => hoursToMinutes(-1)).toThrow(ProblemError);
  });

  it('reads staffing requests from the placeholder allocation', () => {
    const placeholder: FloatPerson = { ...person, people_id: 9001, people_type_id: 3, job_title: 'Architect' };
    const input = staffingRequestToTaskInput({ startDate: '2025-05-05', endDate: '2025-06-27', minutesPerDay: 240 }, { placeholderId: 9001, projectId: 88 });
    expect(input).toMatchObject({ people_id: 9001, hours: 4, status: 1 });
    const ids = { id: 'sr-1', projectId: 'prj-1', resourceId: 'res-9' };
    const fallback = { startDate: '2025-05-05', endDate: '2025-06-27', minutesPerDay: 240, updatedAt: '2025-05-01T00:00:00Z' };
    const open = taskToStaffingRequest({ ...task, people_id: 9001, status: 1, hours: 4 }, { role: 'Architect', person: placeholder }, ids, fallback);
    expect(open).toMatchObject({ status: 'open', resourceId: null, minutesPerDay: 240, role: 'Architect' });
    const filled = taskToStaffingRequest({ ...task, status: 2 }, { role: 'Architect', person }, ids, fallback);
    expect(filled).toMatchObject({ status: 'filled', resourceId: 'res-9' });
    expect(taskToStaffingRequest(null, { role: 'Architect', person: null }, ids, fallback)).toMatchObject({ status: 'cancelled', startDate: '2025-05-05' });
  });

  it('normalises Float timestamps', () => {
    expect(floatTimestampToIso('2025-03-04 16:20:05')).toBe('2025-03-04T16:20:05Z');
    expect(floatTimestampToIso('2025-03-04T16:20:05+02:00')).toBe('2025-03-04T14:20:05Z');
    expect(() => floatTimestampToIso('yesterday')).toThrow(ProblemError);
  });
});
