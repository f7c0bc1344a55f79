// What every page does first: take the sign-in token from the link, connect, keep the
// header (connection state, presence, cycle) current, and report stray errors.

import { Connection } from './connection.js';
import { Store } from './store.js';
import { errorText, formatCycle, formatPresence } from './format.js';
import { connectionIndicator, renderLoop, setError, setText } from './render.js';

export const TOKEN_KEY = 'townhall.token';
/** Set when the token came from the company sign-in: {expiresAt} (ms), for renewal. */
export const SESSION_KEY = 'townhall.session';

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
      remember(TOKEN_KEY, token);
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

/** Forgets the tab's token, and with `session` that it came from the company sign-in. */
function forgetToken({ session = false } = {}) {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
    if (session) sessionStorage.removeItem(SESSION_KEY);
  } catch { /* ignore */ }
}

function remember(key, value) {
  try { sessionStorage.setItem(key, value); } catch { /* storage off: keep it in memory */ }
}

/** Keeps a token from the company sign-in for this tab; returns when it expires (ms). */
function keepSessionToken(got) {
  const expiresAt = Date.now() + got.expiresIn * 1000;
  remember(TOKEN_KEY, got.token);
  remember(SESSION_KEY, JSON.stringify({ expiresAt }));
  return expiresAt;
}

function sessionInfo() {
  try { return JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null'); } catch { return null; }
}

/**
 * A Townhall token for this browser's company sign-in (an HttpOnly cookie the page never
 * sees): {token, expiresIn} when signed in, null when not, undefined when the server has
 * no company sign-in (links only).
 */
export async function sessionToken(fetcher = globalThis.fetch) {
  const res = await fetcher('/auth/token', { credentials: 'same-origin', cache: 'no-store' });
  if (!res.ok) return undefined;
  const body = await res.json();
  if (body.signIn !== 'oidc') return undefined;
  return body.signedIn && body.token ? body : null;
}

/**
 * A room screen cannot type a password: it shows a code for a host to enter in the host
 * console, and waits; once paired it has a read-only session and starts over.
 */
async function pairScreen(textNode, showSignin) {
  const res = await fetch('/auth/pair/new', { credentials: 'same-origin', cache: 'no-store' });
  const body = await res.json();
  showSignin();
  if (!res.ok) return setText(textNode, body.message ?? 'This screen cannot be paired right now.');
  setText(textNode, 'To show the townhall here, a host enters this code in the host console, under Room screens:');
  let codeNode = document.getElementById('pair-code');
  if (!codeNode) {
    codeNode = document.createElement('p');
    codeNode.id = 'pair-code';
    codeNode.className = 'pair-code';
    textNode.after(codeNode);
  }
  setText(codeNode, body.code);
  if (!document.getElementById('pair-signin')) {
    const link = document.createElement('a');
    link.id = 'pair-signin';
    link.href = '/auth/login?next=' + encodeURIComponent(location.pathname);
    link.textContent = 'Or sign in yourself';
    codeNode.after(link);
  }
  const poll = async () => {
    let wait;
    try { wait = await fetch('/auth/pair/wait', { credentials: 'same-origin', cache: 'no-store' }); } catch { wait = null; }
    if (wait && wait.status === 200) return location.reload();
    if (wait && wait.status === 404) return pairScreen(textNode, showSignin);
    setTimeout(poll, 2000);
  };
  setTimeout(poll, 2000);
}

/** To the company sign-in, coming back to this page. */
function signInAgain() {
  location.assign('/auth/login?next=' + encodeURIComponent(location.pathname));
}

/** Keeps a sign-in token fresh: a new one from the session before this one expires, sent
 * over the open connection (`token`), so nobody is dropped at the hour mark. */
function renewLater(conn, expiresAt) {
  const wait = Math.max(10_000, (expiresAt - Date.now()) * 0.8);
  setTimeout(async () => {
    let got;
    try { got = await sessionToken(); } catch { got = false; }
    if (got === null) return signInAgain();
    if (!got || !got.token) return renewLater(conn, Date.now() + 60_000);
    const next = keepSessionToken(got);
    conn.token = got.token;
    conn.request({ type: 'token', token: got.token }).catch(() => { /* a reconnect uses conn.token */ });
    renewLater(conn, next);
  }, wait);
}

/**
 * Starts the page. Returns {store, conn, schedule} or null when there is no token (the
 * sign-in message is shown instead). `render(changes)` is called at most once per frame.
 */
export function startPage({ render, minInterval = 0, pairing = false }) {
  const signin = document.getElementById('signin');
  const signinText = document.getElementById('signin-text');
  const connNode = document.getElementById('conn-state');
  const paintConn = connectionIndicator(connNode);
  const pageError = document.getElementById('page-error');

  const token = takeToken();
  if (!token) {
    paintConn({ state: 'signed-out', retryAt: null, reason: 'no-token' });
    const showSignin = () => {
      document.body.classList.add('is-signed-out');
      if (signin) signin.hidden = false;
    };
    // Signed in through the company sign-in? Then the server has a token for this page.
    sessionToken().then((got) => {
      if (got === null) return pairing ? pairScreen(signinText, showSignin) : signInAgain();
      if (!got || !got.token) return showSignin();
      keepSessionToken(got);
      location.reload();
    }, showSignin);
    return null;
  }
  const session = sessionInfo();
  const signOut = document.getElementById('sign-out');
  if (signOut) {
    signOut.hidden = !session;
    // The server ends the session; this tab forgets its token so a reload cannot reuse it.
    signOut.addEventListener('click', () => forgetToken({ session: true }));
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
        // From the company sign-in: fetch a fresh token (or sign in again) instead.
        if (session) return location.reload();
        document.body.classList.add('is-signed-out');
        if (signinText) {
          setText(signinText, 'You have been signed out: your link has expired or is no longer valid. Open the link you were given to sign in again.');
        }
        if (signin) signin.hidden = false;
      }
    },
  });
  conn.start();
  if (session) renewLater(conn, session.expiresAt);
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
