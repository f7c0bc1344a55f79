// The host console (/host): the queue grouped by status with one-click moderation, the
// townhall's live state and stream, announcements, and closing the week.

import { startPage } from './page.js';
import { bindComposer } from './composer.js';
import { HOST_GROUPS, ORDERINGS } from './store.js';
import { LIMITS, authorLabel, errorText, formatNumber, plural, safeStreamUrl } from './format.js';
import {
  bindTabs, el, pruneCache, reconcile, remember, renderComments, setBusy, setError,
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

function main() {
  let ordering = ORDERINGS.includes(remember('townhall.host.ordering')) ? remember('townhall.host.ordering') : 'top';
  const rows = new Map();
  const parts = new WeakMap();
  /** post ids with a moderation request on its way. */
  const moderating = new Set();
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
        setError($('townhall-error'), errorText(error));
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
    // eslint-disable-next-line no-alert
    if (!window.confirm("Close this week? This week's questions are archived and everyone starts a new, empty list.")) return;
    const button = $('cycle-close');
    setError($('cycle-error'), '');
    setText($('cycle-note'), '');
    setBusy(button, true);
    conn.request({ type: 'cycle', action: 'close' })
      .then(() => setText($('cycle-note'), 'A new week has started.'))
      .catch((error) => setError($('cycle-error'), errorText(error)))
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
    renderTownhall();
    renderAnnouncements();
    const list = $('live-comment-list');
    const comments = store.latestLiveComments(60);
    stickToBottom(list, () => renderComments(list, comments));
    show($('live-comments-empty'), comments.length === 0);
    transition(HOST_GROUPS.map((g) => $(`group-${g}`)), renderQueue, { keepPlace: !changes.has('ordering') });
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
    if (!$('townhall-end').hasAttribute('aria-busy')) $('townhall-end').disabled = !live;
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
    }
    pruneCache(rows);
  }

  // ---- one queue row ----
  function createRow(post) {
    const id = String(post.id);
    const p = {
      score: el('span', { class: 'score' }),
      up: el('span', { class: 'count-up' }),
      down: el('span', { class: 'count-down' }),
      text: el('p', { class: 'post-text' }),
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
        attrs: { type: 'button' },
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
      button.hidden = post.status === status;
      button.disabled = busy;
      if (name === 'reopen') setText(button, post.status === 'pending' ? 'Approve' : 'Reopen');
    }
    if (busy) row.setAttribute('aria-busy', 'true');
    else row.removeAttribute('aria-busy');
  }

  function moderate(id, status) {
    if (moderating.has(id)) return;
    moderating.add(id);
    const row = rows.get(id);
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
