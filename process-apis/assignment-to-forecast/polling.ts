// The path that cannot miss: the scheduling platform's allocations read on a schedule (Float
// publishes no webhooks) and recorded into the inbox under source `scheduling-poll`, each change
// once, with the cursor that moves in the same transaction (core/change-capture).
import type { ChangeFeed } from '../../core/change-capture/index.js';
import type { AssignmentFeedPosition, SchedulingSystemApi } from '../../system-apis/scheduling/index.js';

export const POLLED_SOURCE = 'scheduling-poll';
export const ASSIGNMENT_STREAM = 'scheduling:assignments';

/** What the inbox keeps for one polled change: canonical terms only. */
export interface PolledAssignmentMessage {
  assignmentId: string;
  change: 'created' | 'updated' | 'cancelled';
  changeKey: string;
}

export function assignmentChangeFeed(
  scheduling: Pick<SchedulingSystemApi, 'assignmentFeedStart' | 'assignmentChangesSince'>,
  options: { deletionCheckEveryMs: number },
): ChangeFeed<AssignmentFeedPosition> {
  return {
    stream: ASSIGNMENT_STREAM,
    source: POLLED_SOURCE,
    initial: () => scheduling.assignmentFeedStart(),
    async pull(from) {
      const page = await scheduling.assignmentChangesSince(from, { deletionCheckEveryMs: options.deletionCheckEveryMs });
      return {
        changes: page.changes.map((c) => ({
          // The change key, so that reading the same state again records nothing.
          id: c.changeKey,
          occurredAtMs: c.occurredAtMs,
          payload: { assignmentId: c.assignmentId, change: c.change, changeKey: c.changeKey } satisfies PolledAssignmentMessage,
        })),
        next: page.next,
        more: page.more,
      };
    },
  };
}
