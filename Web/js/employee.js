// The employee page (/): what is on air, the stream, announcements, live comments, the
// composer and the ranked list with votes, comment threads and written answers; what the
// moderators decided about the user's questions in review; and past weeks' answers.
// Also the live poll, "Already asked?" while typing a question, and notices when one of
// the user's questions was merged into another (PROTOCOL.md §9).

import { startPage } from './page.js';
import { bindComposer } from './composer.js';
import { burst, reactionBar } from './reactions.js';
import { bindPollCard } from './pollcard.js';
import { freshSuggestions, renderSuggestions, similarAsker } from './similar.js';
import { mergeNoticeText } from './merge.js';
import { ORDERINGS } from './store.js';
import {
  LIMITS, authorLabel, errorText, formatNumber, idPart, newKey, plural, reviewText, safeStreamUrl, weekLabel,
} from './format.js';
import {
  answerBlock, bindTabs, carriedTag, el, pruneCache, reconcile, remember, renderComments, setAttr, setBusy,
  setError, setStatusBadge, setText, setTime, show, stickToBottom, transition, updateAnswer, updateCarried,
} from './render.js';

const $ = (id) => document.getElementById(id);

function main() {
  let ordering = ORDERINGS.includes(remember('townhall.ordering')) ? remember('townhall.ordering') : 'top';
  /** Threads the reader opened (post ids). */
  const openThreads = new Set();
  /** post id → {value, direction} of the latest vote on its way (until its reply). */
  const pendingVotes = new Map();
  /** post id → row node, shared by the ranked list and "your posts waiting for review". */
  const rows = new Map();
  /** row node → its parts. */
  const parts = new WeakMap();
  let currentStream = null;
  let postKey = newKey();
  /** The past week shown under "Past weeks" (its id), and whether one is being fetched. */
  let archiveShown = null;
  let archiveLoading = false;

  const page = startPage({ render, minInterval: 200 });
  if (!page) return;
  const { store, conn, schedule } = page;
  // Dismissed merge notices stay dismissed when the page is reloaded.
  const DISMISSED_MERGES = 'townhall.dismissedMerges';
  try {
    for (const id of JSON.parse(remember(DISMISSED_MERGES) ?? '[]')) store.dismissedMerges.add(String(id));
  } catch { /* a damaged entry: show the notices again */ }
  const renderPoll = bindPollCard({ store, conn, schedule });

  // ---- "Already asked?": suggestions while a question is typed ----
  /** The latest reply's posts (with their similarity), [] when there is nothing to show. */
  let suggestions = [];
  const asker = similarAsker({
    ask: (text) => conn.request({ type: 'similar', text }),
    // Errors (unavailable, rate_limited…) come as []: the list just stays away.
    onResult: (posts) => {
      suggestions = posts;
      if (!posts.length) setError($('similar-error'), '');
      schedule(['similar']);
    },
  });

  // ---- merges: follow a question to where it went ----
  store.subscribe((changes) => {
    if (changes.has('merged') && store.merges) followMerges(store.merges);
  });

  // ---- reactions: sent while live, and each update's counts rise over the stream ----
  reactionBar($('reaction-bar'), (emoji) => conn.notify({ type: 'react', emoji }));
  store.subscribe((changes) => {
    if (changes.has('reactions')) burst($('reaction-layer'), store.reactions);
  });

  // ---- composer ----
  bindComposer({
    form: $('post-form'),
    textarea: $('post-text'),
    button: $('post-submit'),
    counter: $('post-count'),
    error: $('post-error'),
    note: $('post-note'),
    max: LIMITS.post,
    action: 'post',
    submitKey: 'mod-enter',
    sentText: 'Posted — thank you.',
    isConnected: () => conn.ready,
    onInput: (text) => asker.input(text),
    // The key stays the same until the server acks, so a resend after a reconnect
    // returns the first post instead of making a second one.
    send: (text) => conn.request(
      { type: 'post', text, anonymous: $('post-anonymous').checked, key: postKey },
      { retry: true },
    ),
    onSent: (ack) => {
      postKey = newKey();
      asker.clear();
      $('post-anonymous').checked = false;
      const post = ack && typeof ack.post === 'object' ? ack.post : null;
      if (post && post.status === 'pending') setText($('post-note'), 'Posted — it will appear once a moderator has reviewed it.');
    },
  });

  bindComposer({
    form: $('live-comment-form'),
    textarea: $('live-comment-text'),
    button: $('live-comment-submit'),
    counter: $('live-comment-count'),
    error: $('live-comment-error'),
    note: $('live-comment-note'),
    max: LIMITS.comment,
    action: 'comment',
    submitKey: 'enter',
    send: (text) => conn.request({ type: 'comment', text }),
  });

  // ---- past weeks ----
  /** Asks for a week's pages in turn until the server says there are no more. */
  async function loadArchive(cycle) {
    let after = 0;
    for (let pages = 0; pages < 100; pages += 1) {
      const ack = await conn.request({ type: 'archive', cycle, after }, { retry: true });
      if (!ack || !Number.isInteger(ack.next) || ack.next <= after) return;
      after = ack.next;
    }
  }

  $('archive-form').addEventListener('submit', (event) => {
    event.preventDefault();
    if (archiveLoading) return;
    const cycle = Number($('archive-cycle').value);
    if (!Number.isInteger(cycle) || cycle < 1) return;
    archiveLoading = true;
    setBusy($('archive-show'), true);
    setError($('archive-error'), '');
    setText($('archive-note'), conn.ready ? 'Loading…' : 'Waiting for the connection…');
    // Reading is safe to send again after a reconnect. A week comes in pages.
    loadArchive(cycle)
      .then(() => {
        archiveShown = cycle;
        setText($('archive-note'), '');
        schedule(['archive', 'archive-shown']);
      })
      .catch((error) => {
        setText($('archive-note'), '');
        setError($('archive-error'), errorText(error, 'archive'));
      })
      .finally(() => {
        archiveLoading = false;
        setBusy($('archive-show'), false);
      });
  });

  // ---- tabs ----
  const selectTab = bindTabs(document.querySelector('.tabs'), $('post-panel'), (next) => {
    ordering = next;
    remember('townhall.ordering', next);
    schedule(['ordering']);
  });
  selectTab(ordering);

  // ---- rendering ----
  function render(changes) {
    if (changes.has('full')) {
      // A fresh welcome: threads may have missed comments while we were away.
      for (const id of openThreads) loadThread(id);
    }
    // Everything that can change height happens inside one transition, so whatever grows
    // above the reader (the question going on air, a banner, live comments on a phone)
    // does not push what they are reading out from under them.
    transition([$('my-pending-list'), $('post-list')], () => {
      renderOnAir();
      renderPoll();
      renderAnnouncements();
      renderLiveComments();
      renderReviews();
      renderSimilar();
      renderLists();
      // After the lists: a notice offers to show its question once that row is there.
      renderMergeNotices();
      renderPastWeeks(changes);
    }, { keepPlace: !changes.has('ordering') });
    if (changes.has('archive-shown')) {
      // The reader asked for this week: take them to its heading.
      const heading = $('archive-heading');
      heading.focus({ preventScroll: true });
      heading.scrollIntoView?.({ block: 'nearest' });
    }
  }

  /** What the moderators decided about the user's questions in review, newest first. */
  function renderReviews() {
    reconcile($('review-notices'), store.reviewNotices, {
      key: (n) => n.post,
      create: (n) => {
        const dismiss = el('button', {
          class: 'link notice-dismiss',
          attrs: { type: 'button', 'aria-label': 'Dismiss this notice' },
          text: 'Dismiss',
        });
        dismiss.addEventListener('click', () => {
          // Focus would fall to the start of the page with the notice: keep it nearby.
          $('post-text').focus({ preventScroll: true });
          store.dismissReview(n.post);
        });
        return el('li', { class: 'review-notice', dataset: { postId: n.post } },
          el('p', { class: 'notice-text' }),
          el('p', { class: 'notice-question' }),
          dismiss);
      },
      update: (node, n) => {
        node.dataset.approved = n.approved ? 'true' : 'false';
        // "Your question was declined:" in bold, the moderator's reason as they wrote it.
        const text = reviewText(n);
        const lead = n.approved || !n.reason ? text : 'Your question was declined:';
        const notice = node.querySelector('.notice-text');
        if (notice.textContent !== text) {
          notice.replaceChildren(el('span', { class: 'notice-lead', text: lead }), text.slice(lead.length));
        }
        const question = node.querySelector('.notice-question');
        setText(question, n.text ? `“${n.text}”` : '');
        question.hidden = !n.text;
      },
    });
  }

  /** "Your question was merged into: …" (or "…is back on its own"), newest first. */
  function renderMergeNotices() {
    reconcile($('merge-notices'), store.mergeNotices, {
      key: (n) => n.post,
      create: (n) => {
        const dismiss = el('button', {
          class: 'link notice-dismiss', attrs: { type: 'button', 'aria-label': 'Dismiss this notice' }, text: 'Dismiss',
        });
        dismiss.addEventListener('click', () => {
          $('post-text').focus({ preventScroll: true });
          store.dismissMergeNotice(n.post);
          remember(DISMISSED_MERGES, JSON.stringify([...store.dismissedMerges]));
        });
        const showIt = el('button', { class: 'link notice-show', attrs: { type: 'button' }, text: 'Show that question' });
        showIt.addEventListener('click', () => showPost(store.followMerge(n.post)));
        return el('li', { class: 'review-notice merge-notice', dataset: { postId: n.post } },
          el('p', { class: 'notice-text' }, el('span', { class: 'notice-lead' })),
          el('p', { class: 'notice-question' }),
          dismiss,
          showIt);
      },
      update: (node, n) => {
        node.dataset.merged = n.into ? 'true' : 'false';
        setText(node.querySelector('.notice-lead'), mergeNoticeText(n));
        const question = node.querySelector('.notice-question');
        const text = n.into ? n.into.text : n.text;
        setText(question, text ? `“${text}”` : '');
        question.hidden = !text;
        const target = n.into ? store.followMerge(n.into.id) : n.post;
        node.querySelector('.notice-show').hidden = !rows.has(String(target));
      },
    });
  }

  /** Scrolls to a question of the list and marks it for a moment; focus goes to its vote. */
  function showPost(id) {
    const row = rows.get(String(id));
    if (!row || !row.isConnected) return;
    flash(row);
    row.scrollIntoView?.({ block: 'center' });
    parts.get(row).up.focus({ preventScroll: true });
  }

  function flash(row) {
    row.classList.add('is-merge-target');
    setTimeout(() => row.classList.remove('is-merge-target'), 2500);
  }

  /**
   * An update's `merged {dup: target}`: a thread the reader had open on the duplicate opens
   * on the target instead (with the comments that moved there), and the target is marked
   * for a reader who was on the duplicate.
   */
  function followMerges(merges) {
    for (const [dup, target] of Object.entries(merges)) {
      const active = document.activeElement;
      const wasHere = openThreads.has(dup) || (active && active.closest && active.closest(`[data-post-id="${dup}"]`));
      if (openThreads.has(dup)) openThreads.delete(dup);
      if (wasHere) openThreads.add(target);
      // The target's thread gained the duplicate's comments: read it again if it is open.
      if (openThreads.has(target)) loadThread(target);
      if (wasHere) {
        const row = rows.get(target);
        if (row) {
          flash(row);
          parts.get(row).toggle.focus({ preventScroll: true });
        }
      }
    }
    schedule(['threads']);
  }

  /** "Already asked?" above the Post button, as long as the text typed resembles something. */
  function renderSimilar() {
    const items = freshSuggestions(suggestions, { lookup: (id) => store.post(id), follow: (id) => store.followMerge(id) });
    renderSuggestions($('similar-list'), items, {
      myVote: (id) => store.myVote(id),
      sending: (id) => pendingVotes.has(id),
      // The same vote as the list's 👍: pressed again, it takes the vote back.
      onVote: (id) => vote(id, 1, $('similar-error')),
    });
    show($('similar'), items.length > 0);
  }

  /** The week picker (weeks 1 … this one − 1) and the answers of the week asked for. */
  function renderPastWeeks(changes) {
    const ids = store.pastCycleIds();
    show($('past-weeks'), ids.length > 0);
    const select = $('archive-cycle');
    if (changes.has('cycle') || changes.has('archive') || select.children.length !== ids.length) {
      const chosen = select.value || (ids.length ? String(ids[0]) : '');
      reconcile(select, ids, {
        key: (id) => id,
        create: (id) => el('option', { attrs: { value: id } }),
        update: (node, id) => setText(node, weekLabel(id, store.archive(id)?.cycle)),
      });
      if (ids.map(String).includes(chosen)) select.value = chosen;
    }
    const week = archiveShown == null ? undefined : store.archive(archiveShown);
    show($('archive-result'), !!week);
    if (!week) return;
    setText($('archive-heading'), `Answered in ${weekLabel(archiveShown, week.cycle).replace(/^Week/, 'week')}`);
    const answered = week.posts.filter((post) => post.status === 'answered' || (post.answer && post.answer.text));
    reconcile($('archive-list'), answered, {
      key: (post) => post.id,
      create: createArchiveRow,
      update: updateArchiveRow,
    });
    const others = week.posts.length - answered.length;
    show($('archive-empty'), answered.length === 0);
    setText($('archive-empty'), answered.length === 0
      ? `No questions were answered that week${others ? ` (${plural(others, 'question')} asked)` : ''}.`
      : '');
  }

  function createArchiveRow(post) {
    return el('li', { class: 'post archive-post', dataset: { postId: post.id } },
      el('p', { class: 'archive-score' },
        el('span', { class: 'score' }),
        el('span', { class: 'score-label', text: 'votes' })),
      el('div', { class: 'post-body' },
        el('p', { class: 'post-text' }),
        el('p', { class: 'post-meta' },
          el('span', { class: 'post-author' }),
          el('span', { class: 'dot', attrs: { 'aria-hidden': 'true' }, text: ' · ' }),
          el('span', { class: 'updown' })),
        answerBlock()));
  }

  function updateArchiveRow(row, post) {
    setText(row.querySelector('.score'), formatNumber(post.score ?? (post.up ?? 0) - (post.down ?? 0)));
    setText(row.querySelector('.post-text'), post.text);
    setText(row.querySelector('.post-author'), authorLabel(post));
    setText(row.querySelector('.updown'), `${formatNumber(post.up ?? 0)} up, ${formatNumber(post.down ?? 0)} down`);
    updateAnswer(row.querySelector('.answer'), post.answer);
  }

  function renderOnAir() {
    const t = store.townhall;
    const live = t.state === 'live';
    setText($('live-badge'), live ? 'Live now' : 'Not live');
    $('live-badge').dataset.live = live ? 'true' : 'false';
    setText($('townhall-heading'), t.title || 'Townhall');

    const url = live ? safeStreamUrl(t.stream) : null;
    if (url !== currentStream) {
      currentStream = url;
      const box = $('stream');
      box.replaceChildren();
      if (url) {
        box.append(el('iframe', {
          attrs: {
            src: url,
            allow: 'autoplay; fullscreen',
            allowfullscreen: true,
            title: 'Live video of the townhall',
            referrerpolicy: 'strict-origin-when-cross-origin',
          },
        }));
      }
      show(box, !!url);
    }

    const post = store.onAirPost();
    show($('on-air-question'), !!post);
    show($('on-air-empty'), !post);
    if (post) {
      setText($('on-air-text'), post.text);
      setText($('on-air-author'), authorLabel(post));
      setText($('on-air-up'), formatNumber(post.up ?? 0));
      setText($('on-air-down'), formatNumber(post.down ?? 0));
    }
  }

  function renderAnnouncements() {
    // The newest one is the banner at the top of the page; the side keeps the earlier ones.
    const [latest, ...earlier] = store.announcements.slice(0, 20);
    show($('latest-announcement'), !!latest);
    if (latest) {
      setText($('latest-announcement-text'), latest.text);
      setTime($('latest-announcement-time'), latest.createdAt);
    }
    reconcile($('announcement-list'), earlier, {
      key: (a) => a.id,
      create: (a) => el('li', { class: 'announcement', dataset: { announcementId: a.id } },
        el('p', { class: 'announcement-text', text: a.text }),
        el('time', { class: 'time' })),
      update: (node, a) => {
        setText(node.querySelector('.announcement-text'), a.text);
        setTime(node.querySelector('time'), a.createdAt);
      },
    });
    show($('announcements'), earlier.length > 0);
  }

  function renderLiveComments() {
    const list = $('live-comment-list');
    const comments = store.latestLiveComments(60);
    stickToBottom(list, () => renderComments(list, comments));
    show($('live-comments-empty'), comments.length === 0);
  }

  function renderLists() {
    const pending = store.pendingOwnPosts();
    reconcile($('my-pending-list'), pending, { key: (p) => p.id, create: createRow, update: updateRow, cache: rows });
    show($('my-pending'), pending.length > 0);

    const ranked = store.rankedPosts(ordering).filter((p) => p.status !== 'pending');
    reconcile($('post-list'), ranked, { key: (p) => p.id, create: createRow, update: updateRow, cache: rows });
    show($('post-list-empty'), ranked.length === 0);
    pruneCache(rows);
    for (const id of openThreads) if (!rows.has(id)) openThreads.delete(id);
  }

  // ---- one post row ----
  function createRow(post) {
    const id = String(post.id);
    const domId = idPart(id);
    // Every row has the same buttons: the question's text tells them apart for a screen reader.
    const describedBy = `post-text-${domId}`;
    const voteButton = (cls, arrow, label, countClass) => el('button', {
      class: `vote ${cls}`, attrs: { type: 'button', 'aria-pressed': 'false', 'aria-describedby': describedBy },
    },
    el('span', { class: 'arrow', attrs: { 'aria-hidden': 'true' }, text: arrow }),
    el('span', { class: 'sr-only', text: `${label}, ` }),
    el('span', { class: countClass, text: '0' }));

    const up = voteButton('vote-up', '▲', 'Vote up', 'count-up');
    const down = voteButton('vote-down', '▼', 'Vote down', 'count-down');
    up.addEventListener('click', () => vote(id, 1));
    down.addEventListener('click', () => vote(id, -1));

    const p = {
      up,
      down,
      score: el('span', { class: 'score', text: '0' }),
      text: el('p', { class: 'post-text', attrs: { id: describedBy } }),
      author: el('span', { class: 'post-author' }),
      mine: el('span', { class: 'mine', text: 'yours', attrs: { hidden: true } }),
      time: el('time', { class: 'time' }),
      status: el('span', { class: 'status' }),
      carried: carriedTag(),
      answer: answerBlock(),
      toggle: el('button', {
        class: 'link comments-toggle',
        attrs: { type: 'button', 'aria-expanded': 'false', 'aria-controls': `thread-${domId}`, 'aria-describedby': describedBy },
      }),
      error: el('p', { class: 'error row-error', attrs: { role: 'alert' } }),
      thread: el('div', { class: 'thread', attrs: { id: `thread-${domId}`, hidden: true } }),
      threadBuilt: false,
    };
    p.toggle.addEventListener('click', () => toggleThread(id));

    const row = el('li', { class: 'post', dataset: { postId: id, anchor: '' } },
      el('div', { class: 'post-vote', attrs: { role: 'group', 'aria-label': 'Votes' } },
        up,
        el('span', { class: 'score-wrap' }, el('span', { class: 'sr-only', text: 'Score ' }), p.score),
        down),
      el('div', { class: 'post-body' },
        p.text,
        el('p', { class: 'post-meta' }, p.author, ' ', p.mine, el('span', { class: 'dot', attrs: { 'aria-hidden': 'true' }, text: ' · ' }), p.time, ' ', p.status, ' ', p.carried),
        p.answer,
        el('div', { class: 'post-actions' }, p.toggle),
        p.error,
        p.thread));
    parts.set(row, p);
    return row;
  }

  function updateRow(row, post) {
    const p = parts.get(row);
    const id = String(post.id);
    const pending = post.status === 'pending';
    row.dataset.status = post.status ?? '';
    setText(p.text, post.text);
    setText(p.author, authorLabel(post));
    p.mine.hidden = !store.myPostIds.has(id);
    setTime(p.time, post.createdAt);
    setStatusBadge(p.status, post.status);
    updateCarried(p.carried, post, store.cycle);
    updateAnswer(p.answer, post.answer);
    setText(p.score, formatNumber(post.score ?? (post.up ?? 0) - (post.down ?? 0)));
    setText(p.up.querySelector('.count-up'), formatNumber(post.up ?? 0));
    setText(p.down.querySelector('.count-down'), formatNumber(post.down ?? 0));

    // The pressed state is the server's word (myVotes, updated on ack); a vote on its way
    // only marks the clicked button as sending.
    const mine = store.myVote(id);
    const sending = pendingVotes.get(id);
    setAttr(p.up, 'aria-pressed', mine === 1 ? 'true' : 'false');
    setAttr(p.down, 'aria-pressed', mine === -1 ? 'true' : 'false');
    p.up.classList.toggle('is-sending', sending?.direction === 1);
    p.down.classList.toggle('is-sending', sending?.direction === -1);
    p.up.disabled = pending;
    p.down.disabled = pending;

    const count = post.comments ?? 0;
    p.toggle.hidden = pending;
    const open = openThreads.has(id);
    setText(p.toggle, open ? `Hide comments (${formatNumber(count)})` : plural(count, 'comment'));
    setAttr(p.toggle, 'aria-expanded', open ? 'true' : 'false');
    p.thread.hidden = !open;
    if (open) renderThread(id, p);
  }

  // ---- votes ----
  /** `errorNode`: where a refusal is said when the vote came from elsewhere than the row. */
  function vote(id, direction, errorNode = null) {
    // What the user sees as their vote: the one on its way, else the server's.
    const current = pendingVotes.has(id) ? pendingVotes.get(id).value : store.myVote(id);
    // Clicking the active thumb again takes the vote back.
    const value = current === direction ? 0 : direction;
    const sending = { value, direction };
    pendingVotes.set(id, sending);
    const row = rows.get(id);
    if (row) setError(parts.get(row).error, '');
    if (errorNode) setError(errorNode, '');
    schedule(['votes']);
    conn.request({ type: 'vote', post: id, value }, { retry: true })
      .catch((error) => {
        const r = rows.get(id);
        const at = errorNode ?? (r ? parts.get(r).error : null);
        if (at) setError(at, errorText(error, 'vote'));
      })
      .finally(() => {
        if (pendingVotes.get(id) === sending) pendingVotes.delete(id);
        schedule(['votes']);
      });
  }

  // ---- comment threads ----
  function toggleThread(id) {
    if (openThreads.has(id)) {
      openThreads.delete(id);
    } else {
      openThreads.add(id);
      if (!store.thread(id)) loadThread(id);
    }
    // Focus stays on the toggle (disclosure pattern); the thread follows it in tab order.
    schedule(['threads']);
  }

  function loadThread(id) {
    const row = rows.get(id);
    if (row) setError(parts.get(row).thread.querySelector('.thread-error'), '');
    conn.request({ type: 'thread', post: id }, { retry: true }).catch((error) => {
      const r = rows.get(id);
      if (r) {
        setError(parts.get(r).thread.querySelector('.thread-error') ?? parts.get(r).error, errorText(error, 'thread'));
        const loading = parts.get(r).thread.querySelector('.thread-loading');
        if (loading) loading.hidden = true;
      }
    });
  }

  function buildThread(id, p) {
    const domId = idPart(id);
    const textarea = el('textarea', {
      class: 'thread-text',
      attrs: { id: `thread-text-${domId}`, rows: 2, 'aria-describedby': `thread-count-${domId} thread-error-${domId}` },
    });
    const counter = el('span', { class: 'count', attrs: { id: `thread-count-${domId}` } });
    const button = el('button', { class: 'button thread-submit', attrs: { type: 'submit' }, text: 'Comment' });
    const note = el('p', { class: 'note', attrs: { 'aria-live': 'polite' } });
    const error = el('p', { class: 'error thread-error', attrs: { id: `thread-error-${domId}`, role: 'alert' } });
    const form = el('form', { class: 'composer composer-small thread-form', attrs: { novalidate: true } },
      el('label', { attrs: { for: `thread-text-${domId}` }, text: 'Add a comment' }),
      textarea,
      el('div', { class: 'composer-row' }, counter, button),
      note,
      error);
    p.thread.append(
      el('p', { class: 'muted thread-loading', text: 'Loading comments…' }),
      el('ol', { class: 'comment-list thread-list', attrs: { 'aria-label': 'Comments, oldest first' } }),
      el('p', { class: 'muted thread-empty', text: 'No comments yet.', attrs: { hidden: true } }),
      form,
    );
    bindComposer({
      form, textarea, button, counter, error, note,
      max: LIMITS.comment,
      action: 'comment',
      submitKey: 'enter',
      send: (text) => conn.request({ type: 'comment', text, post: id }),
    });
    p.threadBuilt = true;
  }

  function renderThread(id, p) {
    if (!p.threadBuilt) buildThread(id, p);
    const comments = store.thread(id);
    p.thread.querySelector('.thread-loading').hidden = !!comments || !!p.thread.querySelector('.thread-error').textContent;
    p.thread.querySelector('.thread-empty').hidden = !comments || comments.length > 0;
    renderComments(p.thread.querySelector('.thread-list'), comments ?? []);
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main);
else main();
