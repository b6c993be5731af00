// The operator's actions (repair, dismiss with a reason, retry a run, replay or discard a dead
// letter): offered only to a token with ops:write, announced in the status line, then the page reloads.
import { client, unsafe, unwrap, type Schemas } from './api.js';
import { h } from './dom.js';

let mayAct = false;
export const setMayAct = (value: boolean) => void (mayAct = value);
export const canAct = () => mayAct;

export function status(text: string, kind: '' | 'ok' | 'error' = ''): void {
  const line = document.getElementById('status')!;
  line.textContent = text;
  line.className = kind;
}

/** The operator changed their mind in a dialog: not an error. */
class Cancelled extends Error {}

type ActionKind = 'repair' | 'dismiss' | 'retry' | 'replay' | 'discard' | 'cancel' | 'check';

/**
 * A button for one action on one record, or nothing for a read-only token (the page says once,
 * beside the operator's name, why there are no buttons).
 */
function actionButton(
  kind: ActionKind,
  label: string,
  target: string,
  describe: string,
  run: () => Promise<unknown>,
  after: () => unknown,
) {
  if (!mayAct) return null;
  return h(
    'button',
    {
      type: 'button',
      class: `action action-${kind}`,
      'data-action': kind,
      'data-target': target,
      'aria-label': `${label}: ${describe}`,
      on: {
        click: async (event) => {
          const button = event.currentTarget as HTMLButtonElement;
          button.disabled = true;
          status(`${label} ${describe}…`);
          try {
            await run();
            status(`${label} ${describe}: done.`, 'ok');
            await after();
          } catch (err) {
            if (err instanceof Cancelled) status(`${label} ${describe}: cancelled, nothing changed.`);
            else status(`${label} ${describe} failed: ${(err as Error).message}`, 'error');
            button.disabled = false;
          }
        },
      },
    },
    label,
  );
}

type Exception = Schemas['ReconciliationException'];

/** Every action that can fix an exception, in the order an operator would try them. */
export function exceptionActions(exception: Exception, after: () => unknown): HTMLButtonElement[] {
  const exceptionId = exception.id;
  const what = exception.records[0]?.label ?? exception.records[0]?.id ?? exceptionId;
  const buttons: Array<HTMLButtonElement | null> = [];
  if (exception.status === 'open' && exception.repair.action !== 'by-hand') {
    buttons.push(
      actionButton(
        'repair',
        'Repair',
        exceptionId,
        what,
        () =>
          unwrap(client.POST('/reconciliation/exceptions/{exceptionId}/repair', { params: { path: { exceptionId }, header: unsafe() } })),
        after,
      ),
    );
  }
  const run = exception.run;
  if (run && run.state === 'failed') buttons.push(runActions.retry(run.runId, what, after));
  if (run?.deadLetterId) buttons.push(deadLetterActions.replay(run.deadLetterId, what, after));
  if (exception.status === 'open') {
    buttons.push(
      actionButton(
        'dismiss',
        'Dismiss',
        exceptionId,
        what,
        async () => {
          const reason = await askReason(`${exception.title}: ${what}`);
          if (reason === null) throw new Cancelled();
          return unwrap(
            client.POST('/reconciliation/exceptions/{exceptionId}/dismiss', {
              params: { path: { exceptionId }, header: unsafe() },
              body: { reason },
            }),
          );
        },
        after,
      ),
    );
  }
  return buttons.filter((b): b is HTMLButtonElement => b !== null);
}

export const runActions = {
  retry: (runId: string, what: string, after: () => unknown) =>
    actionButton(
      'retry',
      'Retry run',
      runId,
      what,
      () => unwrap(client.POST('/runs/{runId}/retry', { params: { path: { runId }, header: unsafe() } })),
      after,
    ),
  cancel: (runId: string, what: string, after: () => unknown) =>
    actionButton(
      'cancel',
      'Cancel run',
      runId,
      what,
      async () => {
        if (!window.confirm(`Cancel run ${runId}? Its completed steps will be compensated.`)) throw new Cancelled();
        return unwrap(client.POST('/runs/{runId}/cancel', { params: { path: { runId }, header: unsafe() } }));
      },
      after,
    ),
};

export const deadLetterActions = {
  replay: (deadLetterId: number, what: string, after: () => unknown) =>
    actionButton(
      'replay',
      'Replay dead letter',
      String(deadLetterId),
      what,
      () =>
        unwrap(
          client.POST('/dead-letters/{deadLetterId}/replay', {
            params: { path: { deadLetterId: String(deadLetterId) }, header: unsafe() },
          }),
        ),
      after,
    ),
  discard: (deadLetterId: number, what: string, after: () => unknown) =>
    actionButton(
      'discard',
      'Discard dead letter',
      String(deadLetterId),
      what,
      async () => {
        const reason = await askReason(`Dead letter ${deadLetterId}: ${what}`);
        if (reason === null) throw new Cancelled();
        return unwrap(
          client.POST('/dead-letters/{deadLetterId}/discard', {
            params: { path: { deadLetterId: String(deadLetterId) }, header: unsafe() },
            body: { reason },
          }),
        );
      },
      after,
    ),
};

/** Asks for a reason in the page's modal dialog (focus stays inside it; Escape cancels). */
function askReason(what: string): Promise<string | null> {
  const dialog = document.getElementById('reason-dialog') as HTMLDialogElement;
  const form = document.getElementById('reason-form') as HTMLFormElement;
  const field = document.getElementById('reason') as HTMLTextAreaElement;
  document.getElementById('reason-what')!.textContent = what;
  field.value = '';
  return new Promise((resolve) => {
    const done = (reason: string | null) => {
      form.removeEventListener('submit', submit);
      dialog.removeEventListener('close', closed);
      if (dialog.open) dialog.close();
      resolve(reason);
    };
    const submit = (event: SubmitEvent) => {
      event.preventDefault();
      const reason = field.value.trim();
      if (reason) done(reason);
    };
    const closed = () => done(null);
    form.addEventListener('submit', submit);
    dialog.addEventListener('close', closed);
    dialog.showModal();
    field.focus();
  });
}

/** Starts a reconciliation pass now (every journey), with the safe repairs left to the operator. */
export const checkNow = (after: () => unknown) =>
  actionButton(
    'check',
    'Check now',
    'reconciliation',
    'all journeys',
    () => unwrap(client.POST('/reconciliation/passes', { params: { header: unsafe() }, body: { repair: false } })),
    after,
  );
