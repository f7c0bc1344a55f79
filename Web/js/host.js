// The host console (/host): the queue grouped by status with one-click moderation, the
// agenda (the shortlisted questions in running order), each question's support per office,
// written answers, declining with a reason in review, the townhall's live state and
// stream, announcements, and closing the week. Also polls, merging duplicate questions,
// and what put each question where it ranks (PROTOCOL.md §7, §9).

import { startPage } from './page.js';
import { bindComposer } from './composer.js';
import { HOST_GROUPS, ORDERINGS, agendaMove } from './store.js';
import { bindPollPanel } from './pollpanel.js';
import { mergeForm, mergedIntoText } from './merge.js';
import { rankWhy } from './rankwhy.js';
import {
  LIMITS, authorLabel, charCount, errorText, formatNumber, idPart, plural, safeStreamUrl, supportRows,
  supportSummary,
} from './format.js';
import {
  answerBlock, bindTabs, carriedTag, characterCounter, el, isUnavailable, pruneCache, reconcile, remember,
  renderComments, setAttr, setBusy, setError, setStatusBadge, setText, setTime, show, stickToBottom, transition,
  updateAnswer, updateCarried,
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
const REOPEN_LABELS = { pending: 'Approve', hidden: 'Unhide', merged: 'Undo merge' };

/** The queue's groups in page order; while the townhall is live the agenda comes first. */
const GROUP_ORDER = ['onair', 'pending', 'shortlisted', 'open', 'merged', 'answered', 'dismissed', 'hidden'];
const LIVE_GROUP_ORDER = ['shortlisted', 'onair', 'pending', 'open', 'merged', 'answered', 'dismissed', 'hidden'];

/** Statuses a written answer can be attached to (every post employees can see). */
const ANSWERABLE = new Set(['open', 'shortlisted', 'onair', 'answered', 'dismissed']);

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
  /** A new agenda order on its way to the server (full list of ids), shown until it is settled. */
  let agendaDraft = null;
  /** Shortlisted post id → its place on the agenda (0-based), and how many there are. */
  let agendaIndex = new Map();
  /** Where keyboard focus goes once the next render has moved rows: {id, pick(row), at}. */
  let pendingFocus = null;
  /** Post id → its place (0-based) in the ordering being viewed, for "why is this #n". */
  let rankIndex = new Map();

  const page = startPage({ render, minInterval: 200 });
  if (!page) return;
  const { store, conn, schedule } = page;
  // Staff see the console as soon as the welcome says who they are, not a frame later: the
  // header says "Connected" at that moment and the controls must be there to use.
  store.subscribe((changes) => {
    if (changes.has('user') && store.isStaff) applyRole();
    if (changes.has('merged') && store.merges) followMerges(store.merges);
  });
  const renderPolls = bindPollPanel({ store, conn, schedule });

  // ---- room screens ----
  // Only a server with the company sign-in pairs screens (/auth/… answers then).
  fetch('/auth/status', { credentials: 'same-origin', cache: 'no-store' })
    .then((res) => (res.ok ? res.json() : {}))
    .then((status) => { if (status.signIn === 'oidc') $('pair-panel').hidden = false; }, () => {});
  $('pair-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const params = new URLSearchParams({
      code: $('pair-code').value.trim(), office: $('pair-office').value.trim() || (store.user?.office ?? ''),
      name: $('pair-name').value.trim(),
    });
    setText($('pair-note'), 'Pairing…');
    try {
      const res = await fetch('/auth/pair/confirm?' + params, {
        headers: { Authorization: 'Bearer ' + conn.token }, credentials: 'same-origin', cache: 'no-store',
      });
      const body = await res.json();
      setText($('pair-note'), res.ok ? `Paired: ${body.name} (${body.office}). The screen connects in a moment.` : body.message);
      if (res.ok) $('pair-code').value = '';
    } catch {
      setText($('pair-note'), 'Room screens can be paired when the server signs people in with the company sign-in.');
    }
  });

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
    const question = $('cycle-carry').checked
      ? "Close this week? This week's questions are archived; the shortlisted ones not yet answered move to next week."
      : "Close this week? This week's questions are archived and everyone starts a new, empty list.";
    // eslint-disable-next-line no-alert
    if (!window.confirm(question)) return;
    const carryOver = $('cycle-carry').checked;
    const button = $('cycle-close');
    setError($('cycle-error'), '');
    setText($('cycle-note'), '');
    setBusy(button, true);
    conn.request({ type: 'cycle', action: 'close', carryOver })
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
      renderPolls();
      renderAnnouncements();
      const list = $('live-comment-list');
      const comments = store.latestLiveComments(60);
      stickToBottom(list, () => renderComments(list, comments));
      show($('live-comments-empty'), comments.length === 0);
      renderQueue();
    }, { keepPlace: !changes.has('ordering') });
    keepFocusInRow();
    applyPendingFocus();
  }

  /** Moves focus where an inline form's action said it should go, once the row is in place. */
  function applyPendingFocus() {
    if (!pendingFocus) return;
    if (Date.now() - pendingFocus.at > 10_000) {
      pendingFocus = null;
      return;
    }
    const row = pendingFocus.id == null ? null : rows.get(pendingFocus.id);
    const target = row && row.isConnected ? pendingFocus.pick(row) : pendingFocus.fallback?.();
    if (!target) return;
    pendingFocus = null;
    // A row that moved into a collapsed group (answered, hidden) is shown where it went.
    const details = target.closest('details');
    if (details && !details.open) details.open = true;
    target.focus({ preventScroll: true });
    target.scrollIntoView?.({ block: 'nearest' });
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
    // While the townhall is live the agenda is what the host works from: it comes first.
    const container = $('queue-groups');
    const order = (store.townhall.state === 'live' ? LIVE_GROUP_ORDER : GROUP_ORDER)
      .map((g) => container.querySelector(`[data-group="${g}"]`));
    if (order.some((section, i) => container.children[i] !== section)) for (const section of order) container.append(section);

    rankIndex = new Map((store.ranks[ordering] ?? []).map((id, i) => [String(id), i]));
    const groups = store.groupedPosts(ordering, agendaDraft ?? store.agenda);
    agendaIndex = new Map(groups.shortlisted.map((post, i) => [String(post.id), i]));
    for (const group of HOST_GROUPS) {
      const posts = groups[group];
      reconcile($(`group-${group}`), posts, { key: (p) => p.id, create: createRow, update: updateRow, cache: rows });
      setText($(`count-${group}`), posts.length ? `(${formatNumber(posts.length)})` : '');
      show($(`empty-${group}`), posts.length === 0);
      const box = document.querySelector(`[data-group="${group}"]`);
      box.classList.toggle('has-items', posts.length > 0);
      // Posts waiting for review only exist when review is on, merged ones only after a
      // merge: those groups show when they have some.
      if (group === 'pending' || group === 'merged') show(box, posts.length > 0);
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
      done: el('p', { class: 'note row-done', attrs: { 'aria-live': 'polite' } }),
      carried: carriedTag(),
      answer: answerBlock(),
      buttons: {},
    };
    const domId = idPart(id);
    p.support = el('details', { class: 'support' },
      el('summary', { class: 'support-summary' },
        el('span', { class: 'support-label', text: 'Support:' }), ' ',
        el('span', { class: 'support-text' })),
      el('table', { class: 'support-table' },
        el('caption', { class: 'sr-only', text: 'Votes by office' }),
        el('thead', {}, el('tr', {}, ...['Office', 'Up', 'Down', 'Voters'].map((h) => el('th', { attrs: { scope: 'col' }, text: h })))),
        el('tbody')));

    const tool = (cls, label, onClick, icon) => {
      const button = el('button', {
        class: `button small tool ${cls}`,
        attrs: { type: 'button', 'aria-describedby': textId },
      }, icon ? el('span', { class: 'icon', attrs: { 'aria-hidden': 'true' }, text: icon }) : null,
      el('span', { class: 'tool-label', text: label }));
      button.addEventListener('click', onClick);
      return button;
    };
    p.moveUp = tool('act-move-up', 'Move up', () => moveOnAgenda(id, -1), '▲ ');
    p.moveDown = tool('act-move-down', 'Move down', () => moveOnAgenda(id, 1), '▼ ');
    p.declineToggle = tool('act-decline', 'Decline…', () => toggleForm(id, 'decline'));
    p.answerToggle = tool('act-answer', 'Write answer', () => toggleForm(id, 'answer'));
    p.mergeToggle = tool('act-merge', 'Merge…', () => toggleForm(id, 'merge'));
    setAttr(p.mergeToggle, 'aria-expanded', 'false');
    setAttr(p.mergeToggle, 'aria-controls', `merge-${domId}`);
    setAttr(p.declineToggle, 'aria-expanded', 'false');
    setAttr(p.declineToggle, 'aria-controls', `decline-${domId}`);
    setAttr(p.answerToggle, 'aria-expanded', 'false');
    setAttr(p.answerToggle, 'aria-controls', `answer-${domId}`);
    const tools = el('div', { class: 'tools', attrs: { role: 'group', 'aria-label': 'Agenda, review, answer and merge' } },
      p.moveUp, p.moveDown, p.declineToggle, p.answerToggle, p.mergeToggle);
    buildDeclineForm(id, p, domId);
    buildAnswerForm(id, p, domId);
    p.merge = mergeForm({ id, store, conn, onMerged: (into) => merged(id, into) });
    p.mergeForm = p.merge.form;
    p.mergedTag = el('p', { class: 'merged-into', attrs: { hidden: true } });
    // "Why is this #n": the numbers behind the score's place, on hover, focus or a tap.
    p.why = el('span', { class: 'rank-why', attrs: { role: 'tooltip', id: `why-${domId}` } });
    p.scoreButton = el('button', {
      class: 'score-wrap score-why', attrs: { type: 'button', 'aria-describedby': `why-${domId}`, 'aria-expanded': 'false' },
    }, el('span', { class: 'sr-only', text: 'Score ' }), p.score);
    p.scoreButton.addEventListener('click', () => {
      const open = p.scoreButton.getAttribute('aria-expanded') !== 'true';
      setAttr(p.scoreButton, 'aria-expanded', open ? 'true' : 'false');
    });
    p.scoreButton.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') setAttr(p.scoreButton, 'aria-expanded', 'false');
    });
    p.scoreButton.addEventListener('blur', () => setAttr(p.scoreButton, 'aria-expanded', 'false'));
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
        p.scoreButton,
        p.why,
        el('span', { class: 'updown' },
          el('span', { attrs: { 'aria-hidden': 'true' }, text: '▲' }), el('span', { class: 'sr-only', text: 'up ' }), p.up,
          ' ',
          el('span', { attrs: { 'aria-hidden': 'true' }, text: '▼' }), el('span', { class: 'sr-only', text: 'down ' }), p.down)),
      el('div', { class: 'post-body' },
        p.text,
        p.mergedTag,
        el('p', { class: 'post-meta' },
          p.author, el('span', { class: 'dot', attrs: { 'aria-hidden': 'true' }, text: ' · ' }),
          p.time, el('span', { class: 'dot', attrs: { 'aria-hidden': 'true' }, text: ' · ' }),
          p.comments, ' ', p.status, ' ', p.carried),
        p.support,
        p.note,
        p.answer,
        el('div', { class: 'action-bar' }, actions, tools),
        p.declineForm,
        p.answerForm,
        p.mergeForm,
        p.done,
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
    updateCarried(p.carried, post, store.cycle);
    updateAnswer(p.answer, post.answer);
    updateSupport(p, post.support);
    const isMerged = post.status === 'merged';
    setText(p.mergedTag, mergedIntoText(post, store.post(post.mergedInto)));
    p.mergedTag.hidden = !isMerged;
    const at = rankIndex.get(id);
    setText(p.why, rankWhy(post, ordering, {
      cycleStartedAt: store.cycle?.startedAt ?? null,
      rank: at === undefined ? null : at + 1,
      count: rankIndex.size,
    }).text);

    // The agenda: shortlisted rows move up and down (the ends stay focusable but do nothing).
    const place = agendaIndex.get(id);
    const movable = post.status === 'shortlisted' && place !== undefined && agendaIndex.size > 1;
    p.moveUp.hidden = !movable;
    p.moveDown.hidden = !movable;
    setAttr(p.moveUp, 'aria-disabled', movable && place === 0 ? 'true' : null);
    setAttr(p.moveDown, 'aria-disabled', movable && place === agendaIndex.size - 1 ? 'true' : null);
    // A merged post takes nothing but "Undo merge" (§9: merged posts refuse other changes).
    p.mergeToggle.hidden = isMerged;
    if (isMerged && !p.mergeForm.hidden) closeForm(p, 'merge', false);
    // Declining (with a reason) is for posts in review; answers for every visible post.
    const declinable = post.status === 'pending';
    p.declineToggle.hidden = !declinable;
    if (!declinable && !p.declineForm.hidden) closeForm(p, 'decline', false);
    const answerable = ANSWERABLE.has(post.status);
    p.answerToggle.hidden = !answerable;
    setText(p.answerToggle.querySelector('.tool-label'), post.answer && post.answer.text ? 'Edit answer' : 'Write answer');
    if (!answerable && !p.answerForm.hidden) closeForm(p, 'answer', false);
    const busy = moderating.has(id);
    for (const [name, status] of ACTIONS) {
      const button = p.buttons[name];
      button.hidden = post.status === status
        || (post.status === 'pending' && !PENDING_ACTIONS.has(name))
        || (isMerged && name !== 'reopen');
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

  /** "Support: Dublin 12 · Berlin 7 · Austin 3 voters", opening to up and down per office. */
  function updateSupport(p, support) {
    const rowsOf = supportRows(support);
    p.support.hidden = rowsOf.length === 0;
    if (!rowsOf.length) return;
    setText(p.support.querySelector('.support-text'), supportSummary(support));
    reconcile(p.support.querySelector('tbody'), rowsOf, {
      key: (r) => r.office,
      create: () => el('tr', {}, el('th', { attrs: { scope: 'row' } }), el('td'), el('td'), el('td')),
      update: (tr, r) => {
        const [office, up, down, voters] = tr.children;
        setText(office, r.office);
        setText(up, formatNumber(r.up));
        setText(down, formatNumber(r.down));
        setText(voters, formatNumber(r.voters));
      },
    });
  }

  // ---- the agenda ----
  function moveOnAgenda(id, delta) {
    const row = rows.get(id);
    const p = row && parts.get(row);
    if (!p || isUnavailable(delta < 0 ? p.moveUp : p.moveDown)) return;
    const base = agendaDraft ?? store.agenda;
    const shortlisted = store.agendaPosts(base).map((post) => String(post.id));
    const next = agendaMove(store.agendaIds(base), shortlisted, id, delta);
    if (!next) return;
    agendaDraft = next;
    setError($('agenda-error'), '');
    const place = shortlisted.indexOf(id) + delta + 1;
    setText($('agenda-note'), `Moved ${delta < 0 ? 'up' : 'down'}: now ${formatNumber(place)} of ${formatNumber(shortlisted.length)} on the agenda.`);
    schedule(['agenda']);
    // The whole order each time: sending it again after a reconnect is harmless.
    conn.request({ type: 'agenda', posts: next }, { retry: true })
      .catch((error) => {
        setText($('agenda-note'), '');
        setError($('agenda-error'), errorText(error, 'agenda'));
      })
      .finally(() => {
        // A later move may be on its way already: only the latest one's reply settles it.
        if (agendaDraft === next) agendaDraft = null;
        schedule(['agenda']);
      });
  }

  // ---- inline forms: decline with a reason, write an answer ----
  function buildDeclineForm(id, p, domId) {
    const input = el('input', {
      class: 'decline-text',
      attrs: { type: 'text', id: `decline-text-${domId}`, autocomplete: 'off', 'aria-describedby': `decline-error-${domId}` },
    });
    const submit = el('button', { class: 'button small danger decline-submit', attrs: { type: 'submit' }, text: 'Decline' });
    const cancel = el('button', { class: 'button small decline-cancel', attrs: { type: 'button' }, text: 'Cancel' });
    const error = el('p', { class: 'error decline-error', attrs: { id: `decline-error-${domId}`, role: 'alert' } });
    p.declineForm = el('form', { class: 'inline-form decline-form', attrs: { id: `decline-${domId}`, hidden: true, novalidate: true } },
      el('label', { attrs: { for: `decline-text-${domId}` }, text: 'Reason for declining (the author sees it)' }),
      input,
      el('div', { class: 'button-row' }, submit, cancel),
      error);
    Object.assign(p, { declineText: input, declineSubmit: submit, declineError: error });
    cancel.addEventListener('click', () => closeForm(p, 'decline'));
    p.declineForm.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') closeForm(p, 'decline');
    });
    p.declineForm.addEventListener('submit', (event) => {
      event.preventDefault();
      if (isUnavailable(submit)) return;
      const reason = input.value.trim();
      if (!reason) {
        setError(error, 'Write a reason first — the author will see it.');
        input.focus();
        return;
      }
      if (charCount(reason) > LIMITS.note) {
        setError(error, errorText({ code: 'too_large', length: charCount(reason) }, 'decline'));
        input.focus();
        return;
      }
      // Where focus goes after: the next question waiting for review, else the queue.
      const waiting = [...$('group-pending').children].map((r) => r.dataset.postId);
      const at = waiting.indexOf(id);
      const neighbour = waiting[at + 1] ?? waiting[at - 1] ?? null;
      setError(error, '');
      setBusy(submit, true);
      conn.request({ type: 'moderate', post: id, status: 'hidden', note: reason }, { retry: true })
        .then(() => {
          input.value = '';
          closeForm(p, 'decline', false);
          pendingFocus = {
            id: neighbour,
            at: Date.now(),
            pick: (row) => [...row.querySelectorAll('.actions button')].find((b) => !b.hidden),
            fallback: () => $('queue-heading'),
          };
          schedule(['moderating']);
        })
        .catch((e) => setError(error, errorText(e, 'decline')))
        .finally(() => setBusy(submit, false));
    });
  }

  function buildAnswerForm(id, p, domId) {
    const text = el('textarea', {
      class: 'answer-input',
      attrs: { id: `answer-text-${domId}`, rows: 3, 'aria-describedby': `answer-count-${domId} answer-error-${domId}` },
    });
    const counter = el('span', { class: 'count', attrs: { id: `answer-count-${domId}` } });
    const owner = el('input', {
      class: 'answer-owner-input',
      attrs: {
        type: 'text', id: `answer-owner-${domId}`, maxlength: LIMITS.owner, autocomplete: 'off',
        placeholder: 'e.g. HR will report back by 12 Dec',
      },
    });
    const submit = el('button', { class: 'button small primary answer-submit', attrs: { type: 'submit' }, text: 'Save answer' });
    const cancel = el('button', { class: 'button small answer-cancel', attrs: { type: 'button' }, text: 'Cancel' });
    const error = el('p', { class: 'error answer-error', attrs: { id: `answer-error-${domId}`, role: 'alert' } });
    p.answerForm = el('form', { class: 'inline-form answer-form', attrs: { id: `answer-${domId}`, hidden: true, novalidate: true } },
      el('div', { class: 'label-row' },
        el('label', { attrs: { for: `answer-text-${domId}` }, text: 'Answer' }),
        counter),
      text,
      el('label', { attrs: { for: `answer-owner-${domId}` } }, 'Owner ', el('span', { class: 'muted', text: '(optional: who follows up, and by when)' })),
      owner,
      el('div', { class: 'button-row' }, submit, cancel),
      error);
    Object.assign(p, { answerText: text, answerOwner: owner, answerError: error });
    p.refreshAnswerCount = characterCounter(text, counter, LIMITS.answer);
    cancel.addEventListener('click', () => closeForm(p, 'answer'));
    p.answerForm.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') closeForm(p, 'answer');
    });
    p.answerForm.addEventListener('submit', (event) => {
      event.preventDefault();
      if (isUnavailable(submit)) return;
      const answer = text.value.trim();
      const who = owner.value.trim();
      if (!answer) {
        setError(error, 'Write the answer first.');
        text.focus();
        return;
      }
      if (charCount(answer) > LIMITS.answer) {
        setError(error, errorText({ code: 'too_large', length: charCount(answer) }, 'answer'));
        text.focus();
        return;
      }
      if (charCount(who) > LIMITS.owner) {
        setError(error, `The owner can be at most ${formatNumber(LIMITS.owner)} characters — shorten it and try again.`);
        owner.focus();
        return;
      }
      const message = { type: 'answer', post: id, text: answer };
      if (who) message.owner = who;
      setError(error, '');
      setBusy(submit, true);
      // Setting the answer again is harmless: safe to resend after a reconnect.
      conn.request(message, { retry: true })
        .then(() => {
          closeForm(p, 'answer', false);
          setText(p.done, 'Answer saved.');
          // The post is answered now and may move to the Answered group: focus follows it.
          pendingFocus = { id, at: Date.now(), pick: () => p.answerToggle };
          schedule(['answer']);
        })
        .catch((e) => setError(error, errorText(e, 'answer')))
        .finally(() => setBusy(submit, false));
    });
  }

  /** A row's inline forms, one open at a time. */
  const FORM_KINDS = ['decline', 'answer', 'merge'];

  /** A row's inline form of a kind (decline, answer, merge) and the button that opens it. */
  function formOf(p, kind) {
    if (kind === 'decline') return { form: p.declineForm, toggle: p.declineToggle };
    if (kind === 'merge') return { form: p.mergeForm, toggle: p.mergeToggle };
    return { form: p.answerForm, toggle: p.answerToggle };
  }

  /** Opens (or closes) a row's inline form; opening one closes the others. */
  function toggleForm(id, kind) {
    const row = rows.get(id);
    const p = row && parts.get(row);
    if (!p) return;
    const { form, toggle } = formOf(p, kind);
    if (!form.hidden) {
      closeForm(p, kind);
      return;
    }
    for (const other of FORM_KINDS) if (other !== kind) closeForm(p, other, false);
    setText(p.done, '');
    form.hidden = false;
    setAttr(toggle, 'aria-expanded', 'true');
    if (kind === 'merge') {
      p.merge.open();
    } else if (kind === 'answer') {
      const post = store.post(id);
      p.answerText.value = post?.answer?.text ?? '';
      p.answerOwner.value = post?.answer?.owner ?? '';
      p.refreshAnswerCount();
      setError(p.answerError, '');
      p.answerText.focus();
    } else {
      setError(p.declineError, '');
      p.declineText.focus();
    }
  }

  function closeForm(p, kind, refocus = true) {
    const { form, toggle } = formOf(p, kind);
    const hadFocus = form.contains(document.activeElement);
    if (kind === 'merge') p.merge.close();
    form.hidden = true;
    setAttr(toggle, 'aria-expanded', 'false');
    if (refocus && hadFocus && !toggle.hidden) toggle.focus();
  }

  // ---- merging ----
  /** What the target's row says once a duplicate joined it. */
  const mergedHereText = (dup) => `#${dup} was merged into this question.`;

  /** This console merged `dup` into `into`: say so on the target, and take focus there. */
  function merged(dup, into) {
    const row = rows.get(into);
    if (row) setText(parts.get(row).done, mergedHereText(dup));
    pendingFocus = { id: into, at: Date.now(), pick: (r) => parts.get(r)?.scoreButton, fallback: () => $('queue-heading') };
    schedule(['merged']);
  }

  /**
   * Someone merged posts (an update's `merged {dup: target}`): a form left open on the
   * duplicate closes, and focus that was in its row follows it to the target.
   */
  function followMerges(merges) {
    for (const [dup, target] of Object.entries(merges)) {
      const row = rows.get(dup);
      if (!row) continue;
      const p = parts.get(row);
      const hadFocus = row.contains(document.activeElement);
      for (const kind of FORM_KINDS) closeForm(p, kind, false);
      if (hadFocus) pendingFocus = { id: target, at: Date.now(), pick: (r) => parts.get(r)?.scoreButton };
      const into = rows.get(target);
      if (into && !parts.get(into).done.textContent) setText(parts.get(into).done, mergedHereText(dup));
    }
  }

  function moderate(id, status) {
    if (moderating.has(id)) return;
    moderating.add(id);
    const row = rows.get(id);
    lastAction = row && row.contains(document.activeElement) ? { id, at: Date.now() } : null;
    if (row) {
      setError(parts.get(row).error, '');
      setText(parts.get(row).done, '');
    }
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
