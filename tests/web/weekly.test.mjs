// The weekly loop on the pages: the agenda, support per office, written answers, review
// notices, carried-over questions, past weeks and erased comments. The store and the
// helpers are pure; the pages run on the fake DOM with a fake WebSocket: node --test tests/web/
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';

import { Store, agendaMove, moveInList } from '../../Web/js/store.js';
import {
  answerSummary, carriedLabel, errorText, reviewText, supportRows, supportSummary, weekLabel,
} from '../../Web/js/format.js';
import { $, $$, FakeSocket, flush, input, loadPage } from './testing/harness.mjs';

function post(id, extra = {}) {
  return {
    id, cycle: 2, text: `Question ${id}`, author: { name: 'Ann', office: 'Dublin' }, office: 'Dublin',
    createdAt: Date.now() - 60_000, up: 0, down: 0, score: 0, comments: 0, status: 'open',
    answer: null, carriedFrom: null, ...extra,
  };
}

function welcome(extra = {}) {
  return {
    type: 'welcome',
    user: { id: 'u1', name: 'Ann', office: 'Dublin', role: 'employee' },
    epoch: 'E', seq: 4,
    cycle: { id: 2, startedAt: Date.now() - 86_400_000 },
    townhall: { state: 'ended', title: null, stream: null, onAir: null },
    posts: [],
    ranks: { top: [], hot: [], best: [], new: [] },
    myVotes: {},
    comments: [],
    announcements: [],
    presence: { total: 1, offices: { Dublin: 1 } },
    recovered: false,
    ...extra,
  };
}

const HOST = { id: 'h', name: 'Hal', office: 'HQ', role: 'host' };

// ---------------------------------------------------------------- pure parts

test('moveInList and agendaMove: one place up or down, on-air posts keep their slot', () => {
  assert.deepEqual(moveInList(['a', 'b', 'c'], 'b', -1), ['b', 'a', 'c']);
  assert.deepEqual(moveInList(['a', 'b', 'c'], 'b', 1), ['a', 'c', 'b']);
  assert.equal(moveInList(['a', 'b', 'c'], 'a', -1), null, 'the first cannot go up');
  assert.equal(moveInList(['a', 'b', 'c'], 'c', 1), null, 'the last cannot go down');
  assert.equal(moveInList(['a', 'b'], 'x', 1), null);
  // The agenda [p1 (on air), p3, p4, p5]: moving p5 up swaps it with p4 only.
  assert.deepEqual(agendaMove(['p1', 'p3', 'p4', 'p5'], ['p3', 'p4', 'p5'], 'p5', -1), ['p1', 'p3', 'p5', 'p4']);
  assert.deepEqual(agendaMove(['p3', 'p1', 'p4'], ['p3', 'p4'], 'p3', 1), ['p4', 'p1', 'p3']);
  // A shortlisted post the agenda did not name yet is placed after the named ones.
  assert.deepEqual(agendaMove(['p3'], ['p3', 'p9'], 'p9', -1), ['p9', 'p3']);
  assert.equal(agendaMove(['p3', 'p4'], ['p3', 'p4'], 'p3', -1), null);
});

test('the agenda: welcome, update and ack; shortlisted posts grouped in its order', () => {
  const store = new Store();
  store.applyMessage(welcome({
    user: HOST,
    posts: [post('p1', { status: 'onair', score: 9 }), post('p2', { status: 'shortlisted', score: 5 }),
      post('p3', { status: 'shortlisted', score: 1 }), post('p4', { status: 'shortlisted', score: 3 }), post('p5')],
    ranks: { top: ['p1', 'p2', 'p4', 'p3', 'p5'] },
    agenda: ['p1', 'p3', 'p2'],
  }));
  assert.deepEqual(store.agenda, ['p1', 'p3', 'p2']);
  // p4 is shortlisted but not on the agenda yet: it follows, by top.
  assert.deepEqual(store.agendaIds(), ['p1', 'p3', 'p2', 'p4']);
  assert.deepEqual(store.agendaPosts().map((p) => p.id), ['p3', 'p2', 'p4']);
  assert.deepEqual(store.groupedPosts('top').shortlisted.map((p) => p.id), ['p3', 'p2', 'p4']);
  assert.deepEqual(store.groupedPosts('new').shortlisted.map((p) => p.id), ['p3', 'p2', 'p4'], 'whatever the ordering');
  // A reordering on its way can be shown before the server settles it.
  assert.deepEqual(store.groupedPosts('top', ['p4', 'p2', 'p3']).shortlisted.map((p) => p.id), ['p4', 'p2', 'p3']);

  store.applyMessage({ type: 'update', seq: 5, agenda: ['p1', 'p2', 'p3', 'p4'] });
  assert.deepEqual(store.agendaPosts().map((p) => p.id), ['p2', 'p3', 'p4']);
  // The ack of our own agenda: "those posts go first, in that order".
  store.applyAck({ type: 'agenda', posts: ['p4', 'p2'], id: 9 }, { type: 'ack', id: 9 });
  assert.deepEqual(store.agenda, ['p4', 'p2', 'p1', 'p3']);
  // Answered posts and posts of another week drop out, whatever the list says.
  store.applyMessage({ type: 'update', seq: 6, posts: [post('p2', { status: 'answered' })] });
  assert.deepEqual(store.agendaIds(), ['p4', 'p1', 'p3']);
  // A recovered welcome keeps the agenda (the missed updates bring changes).
  store.applyMessage({ ...welcome({ user: HOST }), recovered: true, seq: 6 });
  assert.deepEqual(store.agenda, ['p4', 'p2', 'p1', 'p3']);
  // A full welcome without one (an employee's) clears it.
  store.applyMessage(welcome());
  assert.deepEqual(store.agenda, []);
});

test('removedComments erase comments from the live stream and loaded threads', () => {
  const store = new Store();
  const c = (id, p = null, at = 1) => ({ id, post: p, text: id, author: { name: 'Bo', office: 'Berlin' }, createdAt: at });
  store.applyMessage(welcome({ posts: [post('p1', { comments: 2 })], ranks: { top: ['p1'] }, comments: [c('c1'), c('c2', null, 2)] }));
  store.applyAck({ type: 'thread', post: 'p1', id: 1 }, { type: 'ack', id: 1, post: post('p1', { comments: 2 }), comments: [c('c3', 'p1'), c('c4', 'p1', 2)] });
  const heard = [];
  store.subscribe((changes) => heard.push([...changes]));
  store.applyMessage({ type: 'update', seq: 5, removedComments: ['c1', 'c3'], posts: [post('p1', { comments: 1 })] });
  assert.deepEqual(store.liveComments.map((x) => x.id), ['c2']);
  assert.deepEqual(store.thread('p1').map((x) => x.id), ['c4']);
  assert.ok(heard[0].includes('comments') && heard[0].includes('threads'));
  // Again: harmless; an erased comment repeated by a later frame is not expected, but ids are ids.
  store.applyMessage({ type: 'update', seq: 6, removedComments: ['c1', 'c3'] });
  assert.deepEqual(store.liveComments.map((x) => x.id), ['c2']);
});

test('removedAnnouncements erase announcements that retention removed', () => {
  const store = new Store();
  const a = (id, at) => ({ id, text: `Notice ${id}`, createdAt: at });
  store.applyMessage(welcome({ announcements: [a('a3', 3), a('a2', 2), a('a1', 1)] }));
  const heard = [];
  store.subscribe((changes) => heard.push([...changes]));
  store.applyMessage({ type: 'update', seq: 5, removedAnnouncements: ['a1', 'a2'] });
  assert.deepEqual(store.announcements.map((x) => x.id), ['a3']);
  assert.ok(heard[0].includes('announcements'));
  store.applyMessage({ type: 'update', seq: 6, removedAnnouncements: ['a1'] });
  assert.equal(heard.length, 2);
  assert.ok(!heard[1].includes('announcements'), 'nothing left to remove: no change');
  // A new announcement after retention never reuses an old id, so it is kept.
  store.applyMessage({ type: 'update', seq: 7, announcements: [a('a4', 4)] });
  assert.deepEqual(store.announcements.map((x) => x.id), ['a4', 'a3']);
});

test('review notices: approved posts go public, declined ones leave or stay dismissed', () => {
  const store = new Store();
  store.applyMessage(welcome({
    posts: [post('p1', { status: 'pending' }), post('p2', { status: 'pending' }), post('p3', { status: 'pending' })],
  }));
  assert.deepEqual(store.pendingOwnPosts().map((p) => p.id).sort(), ['p1', 'p2', 'p3']);

  store.applyMessage({ type: 'review', post: post('p1', { status: 'open' }), approved: true, reason: null });
  assert.equal(store.post('p1').status, 'open');
  assert.deepEqual(store.reviewNotices[0], { post: 'p1', approved: true, reason: null, text: 'Question p1' });

  store.applyMessage({ type: 'review', post: post('p2', { status: 'hidden' }), approved: false, reason: 'Duplicate of p1' });
  assert.equal(store.post('p2'), undefined, 'a hidden post leaves the page');
  assert.equal(store.reviewNotices[0].reason, 'Duplicate of p1');
  assert.equal(store.reviewNotices[0].text, 'Question p2');

  store.applyMessage({ type: 'review', post: post('p3', { status: 'dismissed' }), approved: false, reason: '' });
  assert.equal(store.post('p3').status, 'dismissed');
  assert.equal(store.reviewNotices[0].reason, null);
  assert.deepEqual(store.pendingOwnPosts(), []);
  assert.deepEqual(store.reviewNotices.map((n) => n.post), ['p3', 'p2', 'p1'], 'newest first');

  // The same notice twice is one notice; a read one can be dismissed.
  store.applyMessage({ type: 'review', post: post('p3', { status: 'dismissed' }), approved: false, reason: null });
  assert.equal(store.reviewNotices.length, 3);
  store.dismissReview('p2');
  assert.deepEqual(store.reviewNotices.map((n) => n.post), ['p3', 'p1']);
});

test('archive acks are kept per week; past weeks are 1 … current − 1', () => {
  const store = new Store();
  store.applyMessage(welcome({ cycle: { id: 4, startedAt: 0 } }));
  assert.deepEqual(store.pastCycleIds(), [3, 2, 1]);
  const old = post('p1', { cycle: 1, status: 'answered', answer: { text: 'Yes', owner: 'HR', at: 1 } });
  store.applyAck({ type: 'archive', cycle: 1, id: 3 }, { type: 'ack', id: 3, cycle: { id: 1, startedAt: 5 }, posts: [old] });
  assert.deepEqual(store.archive(1).posts.map((p) => p.id), ['p1']);
  assert.equal(store.archive('1').cycle.startedAt, 5);
  assert.equal(store.post('p1'), undefined, 'a past week does not leak into this week');
  // A later page adds to the week; a first page again starts it afresh.
  store.applyAck({ type: 'archive', cycle: 1, after: 1, id: 4 }, { type: 'ack', id: 4, cycle: { id: 1 }, posts: [post('p7', { cycle: 1 }), old], next: null });
  assert.deepEqual(store.archive(1).posts.map((p) => p.id), ['p1', 'p7']);
  store.applyAck({ type: 'archive', cycle: 1, after: 0, id: 5 }, { type: 'ack', id: 5, cycle: { id: 1 }, posts: [old], next: 1 });
  assert.deepEqual(store.archive(1).posts.map((p) => p.id), ['p1']);
  store.applyMessage(welcome({ cycle: { id: 1, startedAt: 0 } }));
  assert.deepEqual(store.pastCycleIds(), []);
});

test('format helpers of the weekly cycle', () => {
  assert.equal(answerSummary({ text: 'We will.', owner: 'HR will report back by 12 Dec', at: 1 }),
    'Answer: We will. — Owner: HR will report back by 12 Dec');
  assert.equal(answerSummary({ text: 'We will.' }), 'Answer: We will.');
  assert.equal(answerSummary(null), '');
  assert.equal(carriedLabel({ carriedFrom: 3 }, { id: 4 }), 'carried over from last week');
  assert.equal(carriedLabel({ carriedFrom: 1 }, { id: 4 }), 'carried over from week 1');
  assert.equal(carriedLabel({ carriedFrom: null }, { id: 4 }), '');
  const support = { Austin: { up: 3, down: 0, voters: 3 }, Dublin: { up: 10, down: 2, voters: 12 }, Berlin: { up: 7, down: 0, voters: 7 }, Oslo: { up: 0, down: 1, voters: 1 }, Rome: { up: 0, down: 0, voters: 0 } };
  assert.deepEqual(supportRows(support).map((r) => r.office), ['Dublin', 'Berlin', 'Austin', 'Oslo']);
  assert.equal(supportSummary(support), 'Dublin 12 · Berlin 7 · Austin 3 voters · 1 more office');
  assert.equal(supportSummary(support, 4), 'Dublin 12 · Berlin 7 · Austin 3 · Oslo 1 voters');
  assert.equal(supportSummary({ Oslo: { up: 1, down: 0, voters: 1 } }), 'Oslo 1 voter');
  assert.equal(supportSummary({}), 'No votes yet');
  assert.equal(reviewText({ approved: true }), 'Your question was approved and is now public.');
  assert.equal(reviewText({ approved: false, reason: 'Please ask HR directly' }), 'Your question was declined: Please ask HR directly');
  assert.equal(reviewText({ approved: false, reason: null }), 'Your question was declined.');
  assert.equal(weekLabel(3), 'Week 3');
  assert.match(weekLabel(3, { id: 3, startedAt: Date.UTC(2025, 10, 17, 12) }), /^Week 3 \(of .*17.*\)$/);
  assert.equal(errorText({ code: 'too_large' }, 'answer'),
    'Too long: an answer can be at most 2,000 characters — shorten it and try again.');
  assert.equal(errorText({ code: 'forbidden' }, 'answer'), 'Only hosts and moderators can answer questions.');
  assert.equal(errorText({ code: 'not_found' }, 'archive'), 'That week is not available any more — it may have been erased.');
  assert.equal(errorText({ code: 'conflict', message: 'x' }, 'agenda'), 'The agenda changed meanwhile. Check the new order and try again.');
});

// ---------------------------------------------------------------- the pages

async function load(page, file, hash, module, options = {}) {
  await loadPage(page, file, hash, module, options);
  const ws = FakeSocket.all[0];
  ws.open();
  return ws;
}

const ids = (sel) => $$(`${sel} [data-post-id]`).map((r) => r.dataset.postId);
const row = (id) => $(`#queue-groups [data-post-id="${id}"]`);

test('host console: agenda order and moves, support per office, answers, decline with a reason, carry-over', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  let confirmed = null;
  try {
    const ws = await load('/host', 'host.html', '#token=HOST', 'host.js', { confirm: (q) => { confirmed = q; return true; } });
    ws.receive(welcome({
      user: HOST,
      posts: [
        post('p1', { status: 'shortlisted', up: 20, score: 20, support: { Dublin: { up: 12, down: 0, voters: 12 }, Berlin: { up: 6, down: 1, voters: 7 }, Austin: { up: 2, down: 1, voters: 3 } } }),
        post('p2', { status: 'shortlisted', score: 4, carriedFrom: 1, support: {} }),
        post('p3', { status: 'shortlisted', score: 2, support: {} }),
        post('p4', { status: 'pending', support: {} }),
        post('p5', { status: 'onair', support: {}, answer: null }),
      ],
      ranks: { top: ['p1', 'p2', 'p3', 'p5'] },
      agenda: ['p3', 'p1', 'p5', 'p2'],
    }));
    await flush();

    // The shortlisted group is the agenda, in its order.
    assert.deepEqual(ids('#group-shortlisted'), ['p3', 'p1', 'p2']);
    assert.equal(row('p3').querySelector('.act-move-up').getAttribute('aria-disabled'), 'true');
    assert.equal(row('p2').querySelector('.act-move-down').getAttribute('aria-disabled'), 'true');
    assert.equal(row('p1').querySelector('.act-move-up').getAttribute('aria-disabled'), null);
    assert.equal(row('p4').querySelector('.act-move-up').hidden, true, 'only the agenda moves');
    // Not live: the agenda sits below on air and the review queue.
    const order = () => $('#queue-groups').children.map((g) => g.dataset.group);
    assert.deepEqual(order().slice(0, 3), ['onair', 'pending', 'shortlisted']);

    // Support per office, compact, with the detail behind it.
    assert.equal(row('p1').querySelector('.support-text').textContent, 'Dublin 12 · Berlin 7 · Austin 3 voters');
    assert.deepEqual(row('p1').querySelectorAll('tbody tr').map((tr) => tr.children.map((c) => c.textContent)),
      [['Dublin', '12', '0', '12'], ['Berlin', '6', '1', '7'], ['Austin', '2', '1', '3']]);
    assert.equal(row('p2').querySelector('.support').hidden, true, 'no votes, no support line');
    assert.equal(row('p2').querySelector('.carried').textContent, 'carried over from last week');

    // Move up: the whole new order goes out (the on-air post keeps its slot) and shows at once.
    row('p1').querySelector('.act-move-up').click();
    const a1 = ws.sentOf('agenda')[0];
    assert.deepEqual(a1.posts, ['p1', 'p3', 'p5', 'p2']);
    await flush();
    assert.deepEqual(ids('#group-shortlisted'), ['p1', 'p3', 'p2']);
    assert.match($('#agenda-note').textContent, /now 1 of 3/);
    ws.receive({ type: 'ack', id: a1.id });
    ws.receive({ type: 'update', seq: 5, agenda: ['p1', 'p3', 'p5', 'p2'] });
    await flush();
    assert.deepEqual(ids('#group-shortlisted'), ['p1', 'p3', 'p2']);
    // Move down, refused: the server's order comes back and the reason shows.
    row('p3').querySelector('.act-move-down').click();
    const a2 = ws.sentOf('agenda')[1];
    assert.deepEqual(a2.posts, ['p1', 'p2', 'p5', 'p3']);
    ws.receive({ type: 'error', id: a2.id, code: 'conflict', message: 'not shortlisted' });
    await flush();
    assert.deepEqual(ids('#group-shortlisted'), ['p1', 'p3', 'p2']);
    assert.equal($('#agenda-error').textContent, 'The agenda changed meanwhile. Check the new order and try again.');
    // The ends do nothing.
    row('p1').querySelector('.act-move-up').click();
    assert.equal(ws.sentOf('agenda').length, 2);

    // Live: the agenda comes first.
    ws.receive({ type: 'update', seq: 6, townhall: { state: 'live', onAir: 'p5' } });
    await flush();
    assert.deepEqual(order().slice(0, 3), ['shortlisted', 'onair', 'pending']);

    // Write an answer on the on-air post.
    const onair = row('p5');
    const toggle = onair.querySelector('.act-answer');
    assert.equal(toggle.textContent, 'Write answer');
    toggle.click();
    const form = onair.querySelector('.answer-form');
    assert.equal(form.hidden, false);
    assert.equal(toggle.getAttribute('aria-expanded'), 'true');
    assert.equal(document.activeElement, onair.querySelector('.answer-input'));
    onair.querySelector('.answer-submit').click();
    assert.equal(onair.querySelector('.answer-error').textContent, 'Write the answer first.');
    input(onair.querySelector('.answer-input'), 'x'.repeat(2001));
    assert.equal(onair.querySelector('.count').textContent, '2,001 / 2,000');
    onair.querySelector('.answer-submit').click();
    assert.match(onair.querySelector('.answer-error').textContent, /at most 2,000 characters/);
    input(onair.querySelector('.answer-input'), 'Yes, from January.');
    input(onair.querySelector('.answer-owner-input'), 'HR will report back by 12 Dec');
    onair.querySelector('.answer-submit').click();
    const ans = ws.sentOf('answer')[0];
    assert.deepEqual({ post: ans.post, text: ans.text, owner: ans.owner }, { post: 'p5', text: 'Yes, from January.', owner: 'HR will report back by 12 Dec' });
    const answered = post('p5', { status: 'answered', support: {}, answer: { text: 'Yes, from January.', owner: 'HR will report back by 12 Dec', at: Date.now() } });
    ws.receive({ type: 'ack', id: ans.id, post: answered });
    await flush();
    assert.ok($('#group-answered [data-post-id="p5"]'), 'answered now');
    assert.equal(form.hidden, true);
    assert.equal(row('p5').querySelector('.answer').hidden, false);
    assert.equal(row('p5').querySelector('.answer-text').textContent, 'Yes, from January.');
    assert.equal(row('p5').querySelector('.answer-owner').textContent, 'HR will report back by 12 Dec');
    assert.equal(toggle.textContent, 'Edit answer');
    assert.equal(document.activeElement, toggle, 'focus follows the row');
    assert.equal($('[data-group="answered"]').open, true, 'the collapsed group opened to show it');
    // Editing starts from the saved answer.
    toggle.click();
    assert.equal(row('p5').querySelector('.answer-input').value, 'Yes, from January.');
    row('p5').querySelector('.answer-cancel').click();
    assert.equal(row('p5').querySelector('.answer-form').hidden, true);
    assert.equal(document.activeElement, toggle);
    // No answer action on posts in review; Decline… there instead.
    assert.equal(row('p4').querySelector('.act-answer').hidden, true);
    assert.equal(row('p1').querySelector('.act-decline').hidden, true);

    // Decline with a reason (an inline form, not a prompt).
    const decline = row('p4').querySelector('.act-decline');
    decline.click();
    assert.equal(row('p4').querySelector('.decline-form').hidden, false);
    row('p4').querySelector('.decline-submit').click();
    assert.match(row('p4').querySelector('.decline-error').textContent, /Write a reason first/);
    assert.equal(ws.sentOf('moderate').length, 0);
    input(row('p4').querySelector('.decline-text'), 'Please ask HR directly');
    row('p4').querySelector('.decline-submit').click();
    const dm = ws.sentOf('moderate')[0];
    assert.deepEqual({ post: dm.post, status: dm.status, note: dm.note }, { post: 'p4', status: 'hidden', note: 'Please ask HR directly' });
    ws.receive({ type: 'ack', id: dm.id });
    ws.receive({ type: 'update', seq: 7, posts: [post('p4', { status: 'hidden', note: 'Please ask HR directly', support: {} })] });
    await flush();
    assert.ok($('#group-hidden [data-post-id="p4"]'));
    assert.equal(row('p4').querySelector('.post-note').textContent, 'Note: Please ask HR directly');
    assert.equal(row('p4').querySelector('.decline-form').hidden, true);

    // Close the week, carrying over by default; unticked, not.
    assert.equal($('#cycle-carry').checked, true);
    $('#cycle-close').click();
    assert.match(confirmed, /move to next week/);
    const c1 = ws.sentOf('cycle')[0];
    assert.deepEqual({ action: c1.action, carryOver: c1.carryOver }, { action: 'close', carryOver: true });
    ws.receive({ type: 'ack', id: c1.id, cycle: { id: 3, startedAt: Date.now() } });
    await flush();
    $('#cycle-carry').click();
    $('#cycle-close').click();
    assert.equal(ws.sentOf('cycle')[1].carryOver, false);
  } finally {
    mock.timers.reset();
  }
});

test('employee page: review notices, answers, carried tag, past weeks, erased comments', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  try {
    const ws = await load('/', 'index.html', '#token=EMP', 'employee.js');
    ws.receive(welcome({
      posts: [
        post('p1', { status: 'answered', answer: { text: 'Yes, from January.', owner: 'HR will report back by 12 Dec', at: 1 } }),
        post('p2', { status: 'shortlisted', carriedFrom: 1 }),
        post('p3', { status: 'pending' }),
        post('p4', { status: 'pending' }),
      ],
      ranks: { top: ['p1', 'p2'] },
      comments: [{ id: 'c1', post: null, text: 'to be erased', author: { name: 'Bo', office: 'Berlin' }, createdAt: 1 },
        { id: 'c2', post: null, text: 'stays', author: { name: 'Cy', office: 'Rome' }, createdAt: 2 }],
    }));
    await flush();

    // Answers under the question, the carried tag in the meta line.
    const p1 = $('#post-list [data-post-id="p1"]');
    assert.equal(p1.querySelector('.answer').hidden, false);
    assert.equal(p1.querySelector('.answer').textContent, 'Answer: Yes, from January.Owner: HR will report back by 12 Dec');
    assert.equal($('#post-list [data-post-id="p2"] .answer').hidden, true);
    assert.equal($('#post-list [data-post-id="p2"] .carried').textContent, 'carried over from last week');
    assert.equal(p1.querySelector('.carried').hidden, true);
    assert.deepEqual(ids('#my-pending-list').sort(), ['p3', 'p4']);

    // The moderators decide: approved goes public, declined shows the reason.
    ws.receive({ type: 'review', post: post('p3', { status: 'open' }), approved: true, reason: null });
    ws.receive({ type: 'review', post: post('p4', { status: 'hidden' }), approved: false, reason: 'Please ask HR directly' });
    ws.receive({ type: 'update', seq: 5, posts: [post('p3', { status: 'open' })], removed: ['p4'], ranks: { top: ['p1', 'p2', 'p3'] } });
    await flush();
    const notices = $$('#review-notices .notice-text').map((n) => n.textContent);
    assert.deepEqual(notices, ['Your question was declined: Please ask HR directly', 'Your question was approved and is now public.']);
    assert.equal($('#review-notices [data-post-id="p4"] .notice-question').textContent, '“Question p4”');
    assert.equal($('#my-pending').hidden, true, 'nothing waits for review any more');
    assert.deepEqual(ids('#post-list'), ['p1', 'p2', 'p3']);
    $('#review-notices [data-post-id="p4"] .notice-dismiss').click();
    await flush();
    assert.deepEqual($$('#review-notices .notice-text').map((n) => n.textContent), ['Your question was approved and is now public.']);
    assert.equal(document.activeElement, $('#post-text'), 'focus stays near the composer');

    // Erased comments leave the live stream.
    ws.receive({ type: 'update', seq: 6, removedComments: ['c1'] });
    await flush();
    assert.deepEqual($$('#live-comment-list .comment-text').map((n) => n.textContent), ['stays']);

    // Past weeks: week 1 (this is week 2), its answered questions and their answers.
    assert.equal($('#past-weeks').hidden, false);
    assert.deepEqual($$('#archive-cycle option').map((o) => [o.getAttribute('value'), o.textContent]), [['1', 'Week 1']]);
    $('#archive-cycle').value = '1';
    $('#archive-show').click();
    const ar = ws.sentOf('archive')[0];
    assert.equal(ar.cycle, 1);
    assert.equal(ar.after, 0);
    // The week comes in two pages: the page asks for the second where the first ends.
    ws.receive({
      type: 'ack', id: ar.id, cycle: { id: 1, startedAt: Date.UTC(2025, 10, 17, 12) },
      posts: [post('p0', { cycle: 1, status: 'answered', up: 5, score: 5, answer: { text: 'We hired two more.', owner: 'Ops', at: 1 } })],
      next: 1,
    });
    await flush();
    const second = ws.sentOf('archive')[1];
    assert.equal(second.after, 1);
    ws.receive({ type: 'ack', id: second.id, cycle: { id: 1, startedAt: Date.UTC(2025, 10, 17, 12) },
      posts: [post('p9', { cycle: 1, status: 'open' })], next: null });
    await flush();
    assert.equal(ws.sentOf('archive').length, 2, 'no page after the last');
    assert.equal($('#archive-result').hidden, false);
    assert.deepEqual(ids('#archive-list'), ['p0'], 'only the answered ones');
    assert.equal($('#archive-list [data-post-id="p0"] .answer-text').textContent, 'We hired two more.');
    assert.equal($('#archive-list [data-post-id="p0"] .answer-owner').textContent, 'Ops');
    assert.match($('#archive-heading').textContent, /^Answered in week 1 \(of /);
    assert.equal(document.activeElement, $('#archive-heading'));
    assert.match($('#archive-cycle option').textContent, /^Week 1 \(of /, 'the picker learns the week’s date');
    // A week that is gone is said in plain words.
    $('#archive-show').click();
    const ar2 = ws.sentOf('archive')[2];
    ws.receive({ type: 'error', id: ar2.id, code: 'not_found', message: 'no such cycle' });
    await flush();
    assert.equal($('#archive-error').textContent, 'That week is not available any more — it may have been erased.');
  } finally {
    mock.timers.reset();
  }
});
