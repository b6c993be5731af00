import { describe, expect, it } from 'vitest';
import {
  assignmentToTaskInput,
  assignmentUpdateToTaskPatch,
  floatProjectToProject,
  floatTimestampToIso,
  hoursToMinutes,
  minutesPerWeekToHours,
  minutesToHours,
  personRates,
  personToResource,
  placeholderForRole,
  projectToFloatInput,
  resourceToPersonInput,
  roleCode,
  roleLabel,
  staffingRequestStatus,
  staffingRequestNotes,
  staffingRequestReference,
  staffingRequestToTaskInput,
  taskToAssignment,
  workingDays,
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
  name: null,
  notes: 'Workshops on site',
  created: '2025-03-30 10:00:00',
  modified: '2025-03-31 11:30:00',
};

describe('scheduling mapping: people ↔ resources', () => {
  it('maps a Float person to a canonical resource', () => {
    expect(personToResource(person, 'res-1')).toEqual({
      id: 'res-1',
      displayName: 'Amira Haddad',
      email: 'amira.haddad@example.com',
      primaryRole: 'senior-consultant',
      capacityMinutesPerWeek: 2370,
      status: 'active',
    });
    expect(personToResource({ ...person, email: null, active: 0, job_title: null }, 'r')).toEqual({
      id: 'r',
      displayName: 'Amira Haddad',
      primaryRole: 'unspecified',
      capacityMinutesPerWeek: 2370,
      status: 'inactive',
    });
  });

  it('maps rates to minor units per currency and rejects excess precision', () => {
    expect(personRates(person, 'EUR')).toEqual({
      billRate: { amountMinor: 18500, currency: 'EUR' },
      costRate: { amountMinor: 9250, currency: 'EUR' },
    });
    expect(personRates({ ...person, default_hourly_rate: '21000', cost_rate: '9000' }, 'JPY').billRate).toEqual({
      amountMinor: 21000,
      currency: 'JPY',
    });
    expect(personRates({ ...person, default_hourly_rate: '90.5', cost_rate: '45.125' }, 'KWD').costRate).toEqual({
      amountMinor: 45125,
      currency: 'KWD',
    });
    expect(() => personRates({ ...person, cost_rate: '45.125' }, 'EUR')).toThrow(ProblemError);
    expect(personRates({ ...person, cost_rate: null, default_hourly_rate: null }, 'EUR')).toEqual({
      billRate: undefined,
      costRate: undefined,
    });
  });

  it('round-trips a resource to a Float person', () => {
    const body = resourceToPersonInput({
      displayName: 'Amira Haddad',
      email: 'a@example.com',
      primaryRole: 'senior-consultant',
      capacityMinutesPerWeek: 2250,
      status: 'active',
    });
    expect(body).toMatchObject({
      name: 'Amira Haddad',
      job_title: 'Senior Consultant',
      work_days_hours: [7.5, 7.5, 7.5, 7.5, 7.5, 0, 0],
      active: 1,
      people_type_id: 1,
    });
    const back = personToResource({ ...person, ...body, email: 'a@example.com', department: null } as FloatPerson, 'x');
    expect(back).toMatchObject({ primaryRole: 'senior-consultant', capacityMinutesPerWeek: 2250 });
    expect(() =>
      resourceToPersonInput({ displayName: 'x', primaryRole: 'analyst', capacityMinutesPerWeek: 2401, status: 'active' }),
    ).toThrow(/multiple of 5/);
  });

  it('turns job titles into role codes and back', () => {
    expect(roleCode('Senior Consultant')).toBe('senior-consultant');
    expect(roleCode('Data & AI Lead ')).toBe('data-ai-lead');
    expect(roleCode('Chef de projet Sénior')).toBe('chef-de-projet-senior');
    expect(roleCode('3D Artist')).toBe('d-artist');
    expect(roleCode('')).toBe('unspecified');
    expect(roleLabel('senior-consultant')).toBe('Senior Consultant');
    expect(placeholderForRole('data-engineer')).toMatchObject({ people_type_id: 3, job_title: 'Data Engineer' });
  });
});

describe('scheduling mapping: projects and allocations', () => {
  it('maps projects both ways with budgets in minor units', () => {
    const p = floatProjectToProject(project, 'eng-1', 'GBP');
    expect(p).toEqual({
      engagementId: 'eng-1',
      name: project.name,
      billable: true,
      tentative: false,
      budget: { amountMinor: 12000000, currency: 'GBP' },
      updatedAt: '2025-01-03T08:00:00Z',
    });
    expect(projectToFloatInput({ name: p.name, billable: false, budget: p.budget }, 'GBP')).toEqual({
      name: project.name,
      non_billable: 1,
      tentative: 0,
      budget_total: '120000.00',
    });
    expect(() => projectToFloatInput({ name: 'x', budget: { amountMinor: 1, currency: 'USD' } }, 'GBP')).toThrow(/holds amounts in GBP/);
    expect(floatProjectToProject({ ...project, budget_total: null }, 'e', 'EUR').budget).toBeUndefined();
  });

  it('maps an allocation to an assignment and back', () => {
    const a = taskToAssignment(task, { id: 'asg-1', engagementId: 'eng-1', resourceId: 'res-1' }, person.job_title);
    expect(a).toEqual({
      id: 'asg-1',
      engagementId: 'eng-1',
      resourceId: 'res-1',
      role: 'senior-consultant',
      startDate: '2025-04-07',
      endDate: '2025-04-18',
      minutesPerWeek: 1875,
      status: 'confirmed',
      updatedAt: '2025-03-31T11:30:00Z',
    });
    const body = assignmentToTaskInput(
      {
        engagementId: a.engagementId,
        resourceId: a.resourceId,
        startDate: a.startDate,
        endDate: a.endDate,
        minutesPerWeek: a.minutesPerWeek,
        role: 'architect',
        status: 'confirmed',
      },
      { peopleId: 1042, projectId: 88 },
    );
    expect(body).toEqual({
      project_id: 88,
      people_id: 1042,
      start_date: '2025-04-07',
      end_date: '2025-04-18',
      hours: 6.25,
      status: 2,
      name: 'Architect',
    });
    expect(taskToAssignment({ ...task, ...body, name: 'Architect' }, { id: 'a', engagementId: 'e', resourceId: 'r' }, null)).toMatchObject({
      role: 'architect',
      minutesPerWeek: 1875,
    });
    expect(
      taskToAssignment({ ...task, status: 1 }, { id: 'a', engagementId: 'e', resourceId: 'r', staffingRequestId: 's' }, null),
    ).toMatchObject({ status: 'tentative', staffingRequestId: 's' });
    expect(taskToAssignment({ ...task, status: 3 }, { id: 'a', engagementId: 'e', resourceId: 'r' }, null).status).toBe('confirmed');
    expect(() => taskToAssignment({ ...task, status: 9 as never }, { id: 'a', engagementId: 'e', resourceId: 'r' }, null)).toThrow(
      /Unknown allocation status/,
    );
  });

  it('refuses minutes per week that five working days cannot hold exactly', () => {
    expect(minutesPerWeekToHours(2400)).toBe(8);
    expect(minutesPerWeekToHours(5)).toBe(0.02);
    expect(() => minutesPerWeekToHours(2401)).toThrow(/multiple of 5/);
    expect(() => minutesPerWeekToHours(0)).toThrow(ProblemError);
    expect(() => minutesPerWeekToHours(7205)).toThrow(/24 hours/);
    for (let m = 5; m <= 7200; m += 5) expect(hoursToMinutes(minutesPerWeekToHours(m)) * 5).toBe(m);
  });

  it('validates periods and builds partial updates', () => {
    const input = {
      engagementId: 'e',
      resourceId: 'r',
      role: 'analyst',
      startDate: '2025-04-07',
      endDate: '2025-04-01',
      minutesPerWeek: 600,
    };
    expect(() => assignmentToTaskInput(input, { peopleId: 1, projectId: 1 })).toThrow(/before startDate/);
    expect(() => assignmentToTaskInput({ ...input, startDate: '07/04/2025' }, { peopleId: 1, projectId: 1 })).toThrow(/plain date/);
    expect(assignmentUpdateToTaskPatch({ minutesPerWeek: 1200, status: 'tentative' }, task)).toEqual({ hours: 4, status: 1 });
    expect(() => assignmentUpdateToTaskPatch({ endDate: '2025-01-01' }, task)).toThrow(/before startDate/);
  });

  it('converts hours and minutes without drift', () => {
    expect(hoursToMinutes(1.25)).toBe(75);
    expect(hoursToMinutes(0.01)).toBe(1);
    for (let m = 0; m <= 24 * 60; m++) expect(hoursToMinutes(minutesToHours(m))).toBe(m);
    expect(() => hoursToMinutes(-1)).toThrow(ProblemError);
  });
});

describe('scheduling mapping: staffing requests', () => {
  it('counts working days Monday to Friday', () => {
    expect(workingDays('2025-04-07', '2025-04-13')).toBe(5); // Mon..Sun
    expect(workingDays('2025-04-12', '2025-04-13')).toBe(0); // a weekend
    expect(workingDays('2025-04-11', '2025-04-14')).toBe(2); // Fri, Mon
  });

  it('spreads the effort over the working days on a tentative placeholder allocation', () => {
    const body = staffingRequestToTaskInput(
      { role: 'architect', startDate: '2025-04-07', endDate: '2025-04-18', effortMinutes: 4800 },
      { placeholderId: 9001, projectId: 88 },
    );
    expect(body).toEqual({
      project_id: 88,
      people_id: 9001,
      start_date: '2025-04-07',
      end_date: '2025-04-18',
      hours: 8,
      status: 1,
      name: 'Architect',
    });
    expect(() =>
      staffingRequestToTaskInput(
        { role: 'a', startDate: '2025-04-12', endDate: '2025-04-13', effortMinutes: 60 },
        { placeholderId: 1, projectId: 1 },
      ),
    ).toThrow(/no working day/);
    expect(() =>
      staffingRequestToTaskInput(
        { role: 'a', startDate: '2025-04-07', endDate: '2025-04-07', effortMinutes: 1500 },
        { placeholderId: 1, projectId: 1 },
      ),
    ).toThrow(/24 hours/);
  });

  it("tags a staffing request's allocation notes with its reference and reads it back", () => {
    const body = staffingRequestToTaskInput(
      {
        role: 'architect',
        startDate: '2025-04-07',
        endDate: '2025-04-18',
        effortMinutes: 4800,
        notes: 'Lead architect',
        externalReference: 'opportunity-to-project:0193:architect',
      },
      { placeholderId: 9001, projectId: 88 },
    );
    expect(body.notes).toBe('Lead architect\n[staffing-request-ref opportunity-to-project:0193:architect]');
    expect(staffingRequestReference(body.notes ?? null)).toBe('opportunity-to-project:0193:architect');
    expect(staffingRequestNotes(undefined, 'r-1')).toBe('[staffing-request-ref r-1]');
    expect(staffingRequestNotes(undefined, undefined)).toBeNull();
    // A scheduler's note that quotes a tag does not win over the layer's, which comes last.
    expect(staffingRequestReference('see [staffing-request-ref other]\n[staffing-request-ref mine]')).toBe('mine');
    expect(staffingRequestReference('no tag here')).toBeUndefined();
    expect(staffingRequestReference(null)).toBeUndefined();
  });

  it('reads the status from the allocation and its person', () => {
    const placeholder: FloatPerson = { ...person, people_type_id: 3 };
    expect(staffingRequestStatus(task, placeholder)).toBe('open');
    expect(staffingRequestStatus(task, person)).toBe('filled');
    expect(staffingRequestStatus(null, null)).toBe('cancelled');
  });

  it('normalises Float timestamps', () => {
    expect(floatTimestampToIso('2025-03-04 16:20:05')).toBe('2025-03-04T16:20:05Z');
    expect(floatTimestampToIso('2025-03-04T16:20:05+02:00')).toBe('2025-03-04T14:20:05Z');
    expect(() => floatTimestampToIso('yesterday')).toThrow(ProblemError);
  });
});
