// The operations console in the browser: sign in with a pasted token (kept in this page's memory
// only: a reload signs out), show who is signed in and what they may do, and render the page the
// URL fragment names, moving focus to its heading so keyboard and screen-reader users follow.
import '../console.css';
import { setMayAct, status } from './actions.js';
import { ApiError, client, setToken, unwrap } from './api.js';
import { h } from './dom.js';
import { exceptionPage } from './exception.js';
import { executivePage } from './executive.js';
import { overviewPage } from './overview.js';
import { parseRoute, QUESTIONS, viewHref, type Route } from './routes.js';
import { runsPage } from './runs.js';
import { viewPage } from './views.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function navigation(): HTMLElement {
  const link = (href: string, text: string, page: string) => h('li', {}, h('a', { href, 'data-page': page }, text));
  return h(
    'ul',
    {},
    link('#/overview', 'Overview', 'overview'),
    ...QUESTIONS.map((q) => link(viewHref(q.question), q.short, `view:${q.question}`)),
    link('#/executive', 'Executive', 'executive'),
    link('#/runs', 'Runs and dead letters', 'runs'),
  );
}

function markCurrent(route: Route): void {
  const key = route.page === 'view' ? `view:${route.question}` : route.page;
  for (const a of $('nav').querySelectorAll<HTMLAnchorElement>('a[data-page]')) {
    if (a.dataset.page === key) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function pageFor(route: Route, reload: () => unknown): Promise<Node[]> {
  switch (route.page) {
    case 'view':
      return viewPage(route.question, route.query, reload);
    case 'exception':
      return exceptionPage(route.id, reload);
    case 'executive':
      return executivePage();
    case 'runs':
      return runsPage(reload);
    default:
      return overviewPage(route.hours);
  }
}

let rendering = 0;

/**
 * Renders the current route; `focus` moves focus to the new page's heading (also after an action,
 * whose button may be gone from the reloaded page). Refresh keeps focus where it is.
 */
async function render(focus: boolean): Promise<void> {
  const route = parseRoute(location.hash);
  const ticket = ++rendering;
  markCurrent(route);
  const page = $('page');
  page.setAttribute('aria-busy', 'true');
  try {
    const nodes = await pageFor(route, () => render(true));
    if (ticket !== rendering) return; // a newer navigation won
    page.replaceChildren(...nodes);
    const heading = $('page-title');
    document.title = `${heading?.textContent ?? 'Operations'} · Operations console`;
    if (focus) heading?.focus();
  } catch (err) {
    if (ticket !== rendering) return;
    if (err instanceof ApiError && err.status === 401) return signOut('Your token was refused (expired or invalid): sign in again.');
    page.replaceChildren(
      h('h1', { id: 'page-title', tabindex: -1 }, 'Could not load this page'),
      h('p', { class: 'error-text' }, (err as Error).message),
    );
    if (focus) $('page-title').focus();
  } finally {
    if (ticket === rendering) page.removeAttribute('aria-busy');
  }
}

function signOut(message: string): void {
  setToken('');
  setMayAct(false);
  $('app').hidden = true;
  $('who').hidden = true;
  $('sign-in-panel').hidden = false;
  $('page').replaceChildren();
  status(message);
  $('token').focus();
}

async function signIn(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const field = $<HTMLInputElement>('token');
  setToken(field.value.trim());
  field.value = '';
  status('Signing in…');
  try {
    const operator = await unwrap(client.GET('/operator'));
    setMayAct(operator.canWrite);
    $('who-name').textContent = operator.subject ? `${operator.subject} (${operator.consumer})` : operator.consumer;
    $('who-rights').textContent = operator.canWrite
      ? 'may act: repair, dismiss, retry, replay'
      : 'read-only: the token has no ops:write, so actions are not offered';
    $('who').dataset.canWrite = String(operator.canWrite);
    $('who').hidden = false;
    $('sign-in-panel').hidden = true;
    $('app').hidden = false;
    status('Signed in.', 'ok');
    if (!location.hash.startsWith('#/')) history.replaceState(null, '', '#/overview');
    await render(true);
  } catch (err) {
    setToken('');
    status(`Could not sign in: ${(err as Error).message}`, 'error');
    field.focus();
  }
}

$('nav').append(navigation());
// The skip link moves focus without touching the URL fragment, which names the page.
document.querySelector('.skip')?.addEventListener('click', (event) => {
  event.preventDefault();
  (document.getElementById('page-title') ?? $('token')).focus();
});
$<HTMLFormElement>('sign-in').addEventListener('submit', (e) => void signIn(e));
$('reason-cancel').addEventListener('click', () => $<HTMLDialogElement>('reason-dialog').close());
$('sign-out').addEventListener('click', () => signOut('Signed out: the token is gone from this page.'));
$('refresh').addEventListener('click', () => void render(false).then(() => status('Refreshed.', 'ok')));
window.addEventListener('hashchange', () => {
  if (!$('app').hidden && location.hash.startsWith('#/')) void render(true);
});
