// The host console (/host): the queue grouped by status with one-click moderation, the
// townhall's live state and stream, announcements, and closing the week.

import { startPage } from './page.js';
import { bindComposer } from './composer.js';
import { HOST_GROUPS, ORDERINGS } from './store.js';
import { LIMITS, authorLabel, errorText, formatNumber, idPart, plural, safeStreamUrl } from './format.js';
import {
  bindTabs, el, isUnavailable, pruneCache, reconcile, remember, renderComments, setAttr, setBusy, setError,
  setStatusBadge, setText, setTime, show, stickToBottom, transition,
} from './render.js';

const $ = (id) => document.getElementById(id);

/** One-click moderation buttons: class suffix, status sent, label. */
const ACTIONS = [
  ['shortlist', 'shortlisted', 'Shortlist'],
  ['onair', 'onair', 'On air'],
  ['answered', 'answered', 'Answered'],
  ['dismiss', 'dismissed', 'Dismiss'],
  ['hide', 'hidden', 'Hide'],
  ['reopen', 'open', 'Reopen'],
];

/** A post waiting for review is approved (open), shortlisted straight away, or hidden. */
const PENDING_ACTIONS = new Set(['reopen', 'shortlist', 'hide']);
const REOPEN_LABELS = { pending: 'Approve', hidden: 'Unhide' };

function main() {
  let ordering = ORDERINGS.includes(remember('townhall.host.ordering')) ? remember('townhall.host.ordering') : 'top';
  const rows = new Map();
  const parts = new WeakMap();
  /** post ids with a moderation request on its way. */
  const moderating = new Set();
  /** The row whose action the user pressed last, to keep keyboard focus in it: {id, at}. */
  let lastAction = null;
  /** The townhall inputs were edited by the host since they were last filled from the server. */
  let formDirty = false;
  let allowed = null;

  const page = startPage({ render, minInterval: 200 });
  if (!page) return;
  const { store, conn, schedule } = page;

  // ---- townhall ----
  for (const id of ['townhall-title', 'townhall-stream']) $(id).addEventListener('input', () => { formDirty = true; });

  $('townhall-form').addEventListener('submit', (event) => {
    event.preventDefault();
    if (isUnavailable($('townhall-start'))) return;
    const title = $('townhall-title').value.trim();
    const streamText = $('townhall-stream').value.trim();
    const stream = streamText ? safeStreamUrl(streamText) : null;
    if (streamText && !stream) {
      setError($('townhall-error'), 'The stream link must be a full https:// address');
      $('townhall-stream').focus();
      return;
    }
    const message = { type: 'townhall', state: 'live' };
    if (title) message.title = title;
    if (stream) message.stream = stream;
    sendTownhall(message, $('townhall-start'), 'The townhall is live.');
  });

  $('townhall-end').addEventListener('click', () => {
    if (isUnavailable($('townhall-end'))) return;
    sendTownhall({ type: 'townhall', state: 'ended' }, $('townhall-end'), 'The townhall has ended.');
  });

  function sendTownhall(message, button, done) {
    setError($('townhall-error'), '');
    setText($('townhall-note'), conn.ready ? '' : 'Waiting for the connection…');
    setBusy(button, true);
    // Setting the state is idempotent, so it is safe to resend after a reconnect.
    conn.request(message, { retry: true })
      .then(() => {
        formDirty = false;
        setText($('townhall-note'), done);
      })
      .catch((error) => {
        setText($('townhall-note'), '');
        setError($('townhall-error'), errorText(error, 'townhall'));
      })
      .finally(() => {
        setBusy(button, false);
        schedule(['townhall']);
      });
  }

  // ---- announcements ----
  bindComposer({
    form: $('announce-form'),
    textarea: $('announce-text'),
    button: $('announce-submit'),
    counter: $('announce-count'),
    error: $('announce-error'),
    note: $('announce-note'),
    max: LIMITS.announcement,
    action: 'announce',
    submitKey: 'mod-enter',
    sentText: 'Announced to everyone.',
    send: (text) => conn.request({ type: 'announce', text }),
  });

  // ---- cycle ----
  $('cycle-close').addEventListener('click', () => {
    if (isUnavailable($('cycle-close'))) return;
    // eslint-disable-next-line no-alert
    if (!window.confirm("Close this week? This week's questions are archived and everyone starts a new, empty list.")) return;
    const button = $('cycle-close');
    setError($('cycle-error'), '');
    setText($('cycle-note'), '');
    setBusy(button, true);
    conn.request({ type: 'cycle', action: 'close' })
      .then(() => setText($('cycle-note'), 'A new week has started.'))
      .catch((error) => setError($('cycle-error'), errorText(error, 'cycle')))
      .finally(() => setBusy(button, false));
  });

  // ---- queue ordering ----
  const selectTab = bindTabs(document.querySelector('.tabs'), $('queue-groups'), (next) => {
    ordering = next;
    remember('townhall.host.ordering', next);
    schedule(['ordering']);
  });
  selectTab(ordering);

  // ---- rendering ----
  function render(changes) {
    if (changes.has('user')) applyRole();
    if (!allowed) return;
    // One transition for everything that can change height, so the queue the host is
    // working in does not jump (on a phone the controls and comments sit above it).
    transition(HOST_GROUPS.map((g) => $(`group-${g}`)), () => {
      renderTownhall();
      renderAnnouncements();
      const list = $('live-comment-list');
      const comments = store.latestLiveComments(60);
      stickToBottom(list, () => renderComments(list, comments));
      show($('live-comments-empty'), comments.length === 0);
      renderQueue();
    }, { keepPlace: !changes.has('ordering') });
    keepFocusInRow();
  }

  /**
   * Pressing "Shortlist" hides that button (the post is shortlisted now) and the browser drops
   * focus to the start of the page; a keyboard user would have to find their place again.
   * Focus moves to the row's first action instead, without scrolling the page.
   */
  function keepFocusInRow() {
    if (!lastAction || Date.now() - lastAction.at > 10_000) return;
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected && !active.closest('[hidden]')) return;
    const row = rows.get(lastAction.id);
    const next = row && [...row.querySelectorAll('.actions button')].find((b) => !b.hidden);
    if (next) next.focus({ preventScroll: true });
  }

  function applyRole() {
    const staff = store.isStaff;
    if (staff === allowed) return;
    allowed = staff;
    show($('console'), staff);
    show($('host-denied'), !staff);
    if (!staff) {
      // Not for this user: do not count them as watching from here.
      conn.stop();
      return;
    }
    const host = store.isHost;
    for (const node of document.querySelectorAll('.host-only')) show(node, host);
    show($('moderator-note'), !host);
  }

  function renderTownhall() {
    const t = store.townhall;
    const live = t.state === 'live';
    setText($('live-badge'), live ? 'Live now' : 'Not live');
    $('live-badge').dataset.live = live ? 'true' : 'false';
    setText($('live-title'), t.title ?? '');
    setText($('townhall-start'), live ? 'Update townhall' : 'Start townhall');
    // Ending needs a live townhall; the button stays focusable either way.
    if (!$('townhall-end').hasAttribute('aria-busy')) setAttr($('townhall-end'), 'aria-disabled', live ? null : 'true');
    if (!formDirty) {
      $('townhall-title').value = t.title ?? '';
      $('townhall-stream').value = t.stream ?? '';
    }
  }

  function renderAnnouncements() {
    const items = store.announcements.slice(0, 20);
    reconcile($('announcement-list'), items, {
      key: (a) => a.id,
      create: (a) => el('li', { class: 'announcement', dataset: { announcementId: a.id } },
        el('p', { class: 'announcement-text', text: a.text }),
        el('time', { class: 'time' })),
      update: (node, a) => {
        setText(node.querySelector('.announcement-text'), a.text);
        setTime(node.querySelector('time'), a.createdAt);
      },
    });
    show($('announcements-empty'), items.length === 0);
  }

  function renderQueue() {
    const groups = store.groupedPosts(ordering);
    for (const group of HOST_GROUPS) {
      const posts = groups[group];
      reconcile($(`group-${group}`), posts, { key: (p) => p.id, create: createRow, update: updateRow, cache: rows });
      setText($(`count-${group}`), posts.length ? `(${formatNumber(posts.length)})` : '');
      show($(`empty-${group}`), posts.length === 0);
      const box = document.querySelector(`[data-group="${group}"]`);
      box.classList.toggle('has-items', posts.length > 0);
      // Posts waiting for review only exist when review is on: the group shows when it has some.
      if (group === 'pending') show(box, posts.length > 0);
    }
    pruneCache(rows);
  }

  // ---- one queue row ----
  function createRow(post) {
    const id = String(post.id);
    // The same buttons on every row: the question's text tells them apart for a screen reader.
    const textId = `post-text-${idPart(id)}`;
    const p = {
      score: el('span', { class: 'score' }),
      up: el('span', { class: 'count-up' }),
      down: el('span', { class: 'count-down' }),
      text: el('p', { class: 'post-text', attrs: { id: textId } }),
      author: el('span', { class: 'post-author' }),
      time: el('time', { class: 'time' }),
      comments: el('span', { class: 'comment-count' }),
      status: el('span', { class: 'status' }),
      note: el('p', { class: 'post-note', attrs: { hidden: true } }),
      error: el('p', { class: 'error row-error', attrs: { role: 'alert' } }),
      buttons: {},
    };
    const actions = el('div', { class: 'actions', attrs: { role: 'group', 'aria-label': 'Move this question' } });
    for (const [name, status, label] of ACTIONS) {
      const button = el('button', {
        class: `button small act-${name}`,
        attrs: { type: 'button', 'aria-describedby': textId },
        dataset: { action: status },
        text: label,
      });
      button.addEventListener('click', () => moderate(id, status));
      p.buttons[name] = button;
      actions.append(button);
    }
    const row = el('li', { class: 'post host-post', dataset: { postId: id, anchor: '' } },
      el('div', { class: 'post-vote tally' },
        el('span', { class: 'score-wrap' }, el('span', { class: 'sr-only', text: 'Score ' }), p.score),
        el('span', { class: 'updown' },
          el('span', { attrs: { 'aria-hidden': 'true' }, text: '▲' }), el('span', { class: 'sr-only', text: 'up ' }), p.up,
          ' ',
          el('span', { attrs: { 'aria-hidden': 'true' }, text: '▼' }), el('span', { class: 'sr-only', text: 'down ' }), p.down)),
      el('div', { class: 'post-body' },
        p.text,
        el('p', { class: 'post-meta' },
          p.author, el('span', { class: 'dot', attrs: { 'aria-hidden': 'true' }, text: ' · ' }),
          p.time, el('span', { class: 'dot', attrs: { 'aria-hidden': 'true' }, text: ' · ' }),
          p.comments, ' ', p.status),
        p.note,
        actions,
        p.error));
    parts.set(row, p);
    return row;
  }

  function updateRow(row, post) {
    const p = parts.get(row);
    const id = String(post.id);
    row.dataset.status = post.status ?? '';
    setText(p.text, post.text);
    setText(p.author, authorLabel(post));
    setTime(p.time, post.createdAt);
    setText(p.comments, plural(post.comments ?? 0, 'comment'));
    setStatusBadge(p.status, post.status);
    setText(p.score, formatNumber(post.score ?? (post.up ?? 0) - (post.down ?? 0)));
    setText(p.up, formatNumber(post.up ?? 0));
    setText(p.down, formatNumber(post.down ?? 0));
    setText(p.note, post.note ? `Note: ${post.note}` : '');
    p.note.hidden = !post.note;
    const busy = moderating.has(id);
    for (const [name, status] of ACTIONS) {
      const button = p.buttons[name];
      button.hidden = post.status === status
        || (post.status === 'pending' && !PENDING_ACTIONS.has(name));
      setAttr(button, 'aria-disabled', busy ? 'true' : null);
      if (name === 'reopen') setText(button, REOPEN_LABELS[post.status] ?? 'Reopen');
    }
    // The likely next step leads: answering the question on air, approving one in review
    // (first in the row, so first for the keyboard too).
    p.buttons.answered.classList.toggle('primary', post.status === 'onair');
    const approve = p.buttons.reopen;
    const actions = approve.parentNode;
    approve.classList.toggle('primary', post.status === 'pending');
    if (post.status === 'pending' && actions.firstElementChild !== approve) actions.insertBefore(approve, actions.firstElementChild);
    if (post.status !== 'pending' && actions.lastElementChild !== approve) actions.append(approve);
    if (busy) row.setAttribute('aria-busy', 'true');
    else row.removeAttribute('aria-busy');
  }

  function moderate(id, status) {
    if (moderating.has(id)) return;
    moderating.add(id);
    const row = rows.get(id);
    lastAction = row && row.contains(document.activeElement) ? { id, at: Date.now() } : null;
    if (row) setError(parts.get(row).error, '');
    schedule(['moderating']);
    conn.request({ type: 'moderate', post: id, status }, { retry: true })
      .catch((error) => {
        const r = rows.get(id);
        if (r) setError(parts.get(r).error, errorText(error, 'moderate'));
      })
      .finally(() => {
        moderating.delete(id);
        schedule(['moderating']);
      });
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main);
else main();
