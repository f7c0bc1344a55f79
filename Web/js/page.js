// What every page does first: take the sign-in token from the link, connect, keep the
// header (connection state, presence, cycle) current, and report stray errors.

import { Connection } from './connection.js';
import { Store } from './store.js';
import { errorText, formatCycle, formatPresence } from './format.js';
import { connectionIndicator, renderLoop, setError, setText } from './render.js';

export const TOKEN_KEY = 'townhall.token';

/**
 * Reads `#token=…` from the address, keeps it in sessionStorage and removes it from the
 * address bar (so it is not bookmarked, shared or shown). Falls back to sessionStorage.
 */
export function takeToken() {
  let token = null;
  const hash = location.hash.startsWith('#') ? location.hash.slice(1) : '';
  if (hash) {
    const params = new URLSearchParams(hash);
    const fromLink = params.get('token');
    if (fromLink) {
      token = fromLink;
      try { sessionStorage.setItem(TOKEN_KEY, token); } catch { /* storage off: keep it in memory */ }
      params.delete('token');
      const rest = params.toString();
      history.replaceState(history.state, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
    }
  }
  if (!token) {
    try { token = sessionStorage.getItem(TOKEN_KEY); } catch { token = null; }
  }
  return token;
}

function forgetToken() {
  try { sessionStorage.removeItem(TOKEN_KEY); } catch { /* ignore */ }
}

/**
 * Starts the page. Returns {store, conn, schedule} or null when there is no token (the
 * sign-in message is shown instead). `render(changes)` is called at most once per frame.
 */
export function startPage({ render, minInterval = 0 }) {
  const signin = document.getElementById('signin');
  const signinText = document.getElementById('signin-text');
  const connNode = document.getElementById('conn-state');
  const paintConn = connectionIndicator(connNode);
  const pageError = document.getElementById('page-error');

  const token = takeToken();
  if (!token) {
    paintConn({ state: 'signed-out', retryAt: null, reason: 'no-token' });
    document.body.classList.add('is-signed-out');
    if (signin) signin.hidden = false;
    return null;
  }

  const store = new Store();
  const schedule = renderLoop((changes) => {
    renderHeader(store, changes);
    render(changes);
  }, { minInterval });
  store.subscribe(schedule);

  const conn = new Connection({
    token,
    getResume: () => store.resumeInfo(),
    onMessage: (msg) => store.applyMessage(msg),
    onReply: (request, reply) => {
      if (reply.type === 'ack') store.applyAck(request, reply);
    },
    onError: (error) => setError(pageError, errorText(error)),
    onStatus: (status) => {
      paintConn(status);
      document.body.dataset.conn = status.state;
      if (status.state === 'connected') setError(pageError, '');
      if (status.state === 'signed-out') {
        forgetToken();
        document.body.classList.add('is-signed-out');
        if (signinText) {
          setText(signinText, 'You have been signed out: your link has expired or is no longer valid. Open the link you were given to sign in again.');
        }
        if (signin) signin.hidden = false;
      }
    },
  });
  conn.start();
  // Relative times ("5 min ago") age on their own.
  setInterval(() => schedule(['clock']), 60_000);
  return { store, conn, schedule };
}

function renderHeader(store, changes) {
  if (changes.has('presence')) setText(document.getElementById('presence'), formatPresence(store.presence));
  if (changes.has('cycle')) {
    const node = document.getElementById('cycle');
    setText(node, formatCycle(store.cycle));
    if (node && store.cycle) node.title = `Cycle ${store.cycle.id}`;
  }
  if (changes.has('user')) {
    const node = document.getElementById('user-name');
    if (node && store.user) setText(node, `${store.user.name} · ${store.user.office}`);
  }
  if (changes.has('townhall')) document.body.dataset.live = store.townhall.state === 'live' ? 'true' : 'false';
}
