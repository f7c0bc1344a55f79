// Merging (PROTOCOL.md §9 merge): the store follows duplicates to their targets and keeps
// the author's notice; the host console merges from suggestions or a typed number, shows
// merged posts greyed with "Undo merge"; the employee page follows an open thread along.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';

import { Store } from '../../Web/js/store.js';
import { mergeNoticeText, mergedIntoText, parsePostId } from '../../Web/js/merge.js';
import { $, $$, EMPLOYEE_PAGE, FakeSocket, flush, HOST_PAGE, input, loadPage, onPage } from './testing/harness.mjs';

function post(id, extra = {}) {
  return {
    id, cycle: 1, text: `Question ${id}`, author: { name: 'Ann', office: 'Dublin' }, office: 'Dublin',
    createdAt: Date.now() - 60_000, up: 1, down: 0, score: 1, comments: 0, status: 'open', ...extra,
  };
}

function welcome(extra = {}) {
  return {
    type: 'welcome', user: { id: 'u1', name: 'Ann', office: 'Dublin', role: 'employee' }, epoch: 'E', seq: 1,
    cycle: { id: 1, startedAt: Date.now() - 3_600_000 }, townhall: { state: 'ended', title: null, stream: null, onAir: null },
    posts: [post('p1', { up: 3, score: 3 }), post('p2'), post('p3')],
    ranks: { top: ['p1', 'p2', 'p3'], hot: ['p1', 'p2', 'p3'], best: ['p1', 'p2', 'p3'], new: ['p3', 'p2', 'p1'] },
    myVotes: {}, comments: [], announcements: [], presence: { total: 1, offices: {} }, recovered: false, polls: [], myAnswers: {},
    ...extra,
  };
}

const HOST = { id: 'h', name: 'Hal', office: 'HQ', role: 'host' };

test('store: merged maps are followed, through chains, and an undo ends them', () => {
  const store = new Store();
  store.applyMessage(welcome());
  const seen = [];
  store.subscribe((c) => seen.push(c));
  // Employees: the duplicate comes in removed, the target in posts, and merged says where.
  store.applyMessage({ type: 'update', seq: 2, removed: ['p2'], posts: [post('p1', { up: 4, score: 4 })], merged: { p2: 'p1' } });
  assert.equal(store.post('p2'), undefined);
  assert.deepEqual(store.merges, { p2: 'p1' });
  assert.ok(seen.at(-1).has('merged'));
  assert.equal(store.followMerge('p2'), 'p1');
  assert.equal(store.followMerge('p3'), 'p3');
  store.applyMessage({ type: 'update', seq: 3, removed: ['p1'], merged: { p1: 'p3' } });
  assert.equal(store.followMerge('p2'), 'p3', 'a chain of merges');
  store.applyMessage({ type: 'update', seq: 4, presence: { total: 2, offices: {} } });
  assert.equal(store.merges, null, 'merged is news of one update');
  // Undone: the duplicate comes back as itself.
  store.applyMessage({ type: 'update', seq: 5, posts: [post('p1', { status: 'open' })] });
  assert.equal(store.followMerge('p1'), 'p1');
  assert.equal(store.followMerge('p2'), 'p1');

  // Staff: the merged post stays, with its status and mergedInto (welcome or update).
  const staff = new Store();
  staff.applyMessage(welcome({ user: HOST, posts: [post('p1'), post('p2', { status: 'merged', mergedInto: 'p1', up: 0, score: 0 })] }));
  assert.equal(staff.followMerge('p2'), 'p1');
  assert.deepEqual(staff.groupedPosts('top').merged.map((p) => p.id), ['p2']);
});

test('store: the author is told their question was merged, and when it is back on its own', () => {
  const store = new Store();
  store.applyMessage(welcome());
  store.applyMessage({ type: 'merged', post: post('p2', { status: 'merged', mergedInto: 'p1' }), into: post('p1', { up: 5 }) });
  assert.deepEqual(store.mergeNotices, [{ post: 'p2', text: 'Question p2', into: { id: 'p1', text: 'Question p1' } }]);
  assert.equal(store.post('p1').up, 5, 'the target as the notice has it');
  assert.equal(mergeNoticeText(store.mergeNotices[0]), 'Your question was merged into:');
  store.applyMessage({ type: 'merged', post: post('p2'), into: null });
  assert.equal(store.mergeNotices.length, 1, 'one notice per post, the latest');
  assert.equal(mergeNoticeText(store.mergeNotices[0]), 'Your question is back on its own.');
  store.dismissMergeNotice('p2');
  assert.deepEqual(store.mergeNotices, []);
});

test('parsePostId and mergedIntoText', () => {
  for (const text of ['p12', '#p12', 'P12', ' 12 ', '#12']) assert.equal(parsePostId(text), 'p12', text);
  for (const text of ['', 'p', 'twelve', 'p1 2', 'q3']) assert.equal(parsePostId(text), null, text);
  assert.equal(mergedIntoText(post('p2', { status: 'merged', mergedInto: 'p1' }), post('p1')), 'merged into #p1 “Question p1”');
  assert.equal(mergedIntoText(post('p2', { status: 'merged', mergedInto: 'p1' }), undefined), 'merged into #p1');
  assert.match(mergedIntoText(post('p2', { status: 'merged', mergedInto: 'p1' }), post('p1', { text: 'x'.repeat(200) })), /x…”$/);
  assert.equal(mergedIntoText(post('p2'), post('p1')), '');
});

test('host console: Merge… asks similar without the post itself, merges into the pick, then Undo merge', () => onPage(HOST_PAGE, welcome({ user: HOST }), async (ws) => {
  const row = () => $('#queue-groups [data-post-id="p2"]');
  assert.equal(row().querySelector('.merge-form').hidden, true);
  row().querySelector('.act-merge').click();
  assert.equal(row().querySelector('.merge-form').hidden, false);
  assert.equal(row().querySelector('.act-merge').getAttribute('aria-expanded'), 'true');
  const ask = ws.sentOf('similar')[0];
  assert.equal(ask.text, 'Question p2');
  ws.receive({ type: 'ack', id: ask.id, posts: [{ ...post('p2'), similarity: 1 }, { ...post('p1'), similarity: 0.7 }, { ...post('p3'), similarity: 0.4 }] });
  await flush();
  const offered = $$('#queue-groups [data-post-id="p2"] .merge-suggestion').map((n) => n.dataset.postId);
  assert.deepEqual(offered, ['p1', 'p3'], 'the post itself is not offered');
  assert.match(row().querySelector('.merge-suggestion .merge-score').textContent, /70% alike/);

  // Typing its own number is refused before anything is sent.
  input(row().querySelector('.merge-target'), 'p2');
  row().querySelector('.merge-submit').click();
  assert.match(row().querySelector('.merge-error').textContent, /itself/);
  assert.equal(ws.sentOf('merge').length, 0);

  row().querySelector('.merge-suggestion input').click();
  assert.equal(row().querySelector('.merge-target').value, 'p1', 'the pick fills the number');
  row().querySelector('.merge-submit').click();
  const m = ws.sentOf('merge')[0];
  assert.deepEqual({ post: m.post, into: m.into }, { post: 'p2', into: 'p1' });
  ws.receive({ type: 'ack', id: m.id, post: post('p1', { up: 4, score: 4 }) });
  ws.receive({
    type: 'update', seq: 2, merged: { p2: 'p1' },
    posts: [post('p1', { up: 4, score: 4 }), post('p2', { status: 'merged', mergedInto: 'p1', up: 0, score: 0 })],
    ranks: { top: ['p1', 'p3'], hot: ['p1', 'p3'], best: ['p1', 'p3'], new: ['p3', 'p1'] },
  });
  await flush();
  assert.equal($('[data-group="merged"]').hidden, false);
  assert.ok($('#group-merged [data-post-id="p2"]'), 'in the Merged group');
  assert.equal(row().dataset.status, 'merged');
  assert.equal(row().querySelector('.merged-into').textContent, 'merged into #p1 “Question p1”');
  assert.equal($('#group-open [data-post-id="p1"] .count-up').textContent, '4');
  assert.match($('#group-open [data-post-id="p1"] .row-done').textContent, /#p2 was merged into this question/);
  const offeredNow = row().querySelector('.actions').children.filter((b) => !b.hidden).map((b) => b.textContent);
  assert.deepEqual(offeredNow, ['Undo merge'], 'a merged post takes nothing but the undo');
  assert.equal(row().querySelector('.act-merge').hidden, true);

  row().querySelector('.act-reopen').click();
  const undo = ws.sentOf('moderate')[0];
  assert.deepEqual({ post: undo.post, status: undo.status }, { post: 'p2', status: 'open' });
  ws.receive({ type: 'ack', id: undo.id });
  ws.receive({ type: 'update', seq: 3, posts: [post('p1'), post('p2')], ranks: { top: ['p1', 'p2', 'p3'] } });
  await flush();
  assert.ok($('#group-open [data-post-id="p2"]'), 'back on its own');
  assert.equal($('[data-group="merged"]').hidden, true);
}));

test('host console: a merge refused by the server, and similar unavailable, are said in the form', () => onPage(HOST_PAGE, welcome({ user: HOST }), async (ws) => {
  const row = $('#queue-groups [data-post-id="p3"]');
  row.querySelector('.act-merge').click();
  ws.receive({ type: 'error', id: ws.sentOf('similar')[0].id, code: 'unavailable', message: 'no index' });
  await flush();
  assert.equal(row.querySelector('.merge-none').hidden, false);
  assert.match(row.querySelector('.merge-none').textContent, /Type the number/);
  input(row.querySelector('.merge-target'), '#1');
  row.querySelector('.merge-submit').click();
  const m = ws.sentOf('merge')[0];
  assert.equal(m.into, 'p1');
  ws.receive({ type: 'error', id: m.id, code: 'conflict', message: 'already merged' });
  await flush();
  assert.match(row.querySelector('.merge-error').textContent, /cannot be merged/);
  assert.equal(row.querySelector('.merge-form').hidden, false, 'the form stays open to try again');
}));

test('host console: the score tells why the post ranks where it does, in the ordering being viewed', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  try {
    await loadPage('/host', 'host.html', '#token=HOST', 'host.js');
    const ws = FakeSocket.all[0];
    ws.open();
    const startedAt = Date.now() - 3_600_000;
    ws.receive(welcome({
      user: HOST, cycle: { id: 1, startedAt },
      posts: [post('p1', { up: 12, down: 3, score: 9, createdAt: startedAt + 3_600_000 }), post('p2')],
      ranks: { top: ['p1', 'p2'], hot: ['p2', 'p1'], best: ['p1', 'p2'], new: ['p2', 'p1'] },
    }));
    await flush();
    const why = () => $('[data-post-id="p1"] .rank-why');
    const button = $('[data-post-id="p1"] .score-why');
    assert.equal(button.getAttribute('aria-describedby'), why().id, 'the tooltip describes the score');
    assert.equal(why().getAttribute('role'), 'tooltip');
    assert.match(why().textContent, /^#1 of 2 by Top\n12 up, 3 down: score 9/);
    $('#tab-hot').click();
    await flush();
    assert.match(why().textContent, /^#2 of 2 by Hot/);
    assert.match(why().textContent, /= 1·log10\(9\) \+ 3,600\/45000\n= 0\.954 \+ 0\.080 = 1\.034/);
    button.click();
    assert.equal(button.getAttribute('aria-expanded'), 'true', 'a tap pins it open (no hover on a phone)');
  } finally {
    mock.timers.reset();
  }
});

test('employee page: a merged post leaves, an open thread follows it, the author gets a notice', () => onPage(EMPLOYEE_PAGE, welcome(), async (ws) => {
  $('[data-post-id="p2"] .comments-toggle').click();
  const read = ws.sentOf('thread')[0];
  ws.receive({ type: 'ack', id: read.id, post: post('p2', { comments: 1 }), comments: [{ id: 'c1', post: 'p2', text: 'Me too', author: { name: 'Bo', office: 'Oslo' }, createdAt: 5 }] });
  await flush();

  ws.receive({ type: 'update', seq: 2, removed: ['p2'], posts: [post('p1', { up: 4, score: 4, comments: 1 })], merged: { p2: 'p1' }, ranks: { top: ['p1', 'p3'] } });
  ws.receive({ type: 'merged', post: post('p2', { status: 'merged', mergedInto: 'p1' }), into: post('p1', { up: 4, score: 4, comments: 1 }) });
  await flush();
  assert.equal($('#post-list [data-post-id="p2"]'), null, 'the duplicate is gone');
  assert.equal($('[data-post-id="p1"] .count-up').textContent, '4');
  const moved = ws.sentOf('thread').at(-1);
  assert.equal(moved.post, 'p1', 'the open thread moved to the target');
  assert.equal($('[data-post-id="p1"] .comments-toggle').getAttribute('aria-expanded'), 'true');
  const notice = $('#merge-notices [data-post-id="p2"]');
  assert.equal(notice.querySelector('.notice-lead').textContent, 'Your question was merged into:');
  assert.equal(notice.querySelector('.notice-question').textContent, '“Question p1”');
  assert.equal(notice.querySelector('.notice-show').hidden, false);

  ws.receive({ type: 'merged', post: post('p2'), into: null });
  ws.receive({ type: 'update', seq: 3, posts: [post('p2'), post('p1')], ranks: { top: ['p1', 'p2', 'p3'] } });
  await flush();
  assert.equal($('#merge-notices [data-post-id="p2"] .notice-lead').textContent, 'Your question is back on its own.');
  assert.ok($('#post-list [data-post-id="p2"]'), 'back in the list');
  $('#merge-notices [data-post-id="p2"] .notice-dismiss').click();
  await flush();
  assert.equal($$('#merge-notices li').length, 0);
}));

test('employee page: an author away during the merge is told on the next visit, until they dismiss it', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  try {
    // The author's welcome holds their merged question (docs/PROTOCOL-NOTES.md).
    const mine = welcome({ posts: [post('p1'), post('p2', { status: 'merged', mergedInto: 'p1', up: 0, score: 0 }), post('p3')],
      ranks: { top: ['p1', 'p3'], hot: ['p1', 'p3'], best: ['p1', 'p3'], new: ['p3', 'p1'] } });
    const storage = new Map();
    const visit = async () => {
      await loadPage('/', 'index.html', '#token=JWT1', 'employee.js', { storage });
      const ws = FakeSocket.all[0];
      ws.open();
      ws.receive(mine);
      await flush();
    };
    await visit();
    const notice = $('#merge-notices [data-post-id="p2"]');
    assert.ok(notice, 'no notice for the question merged while away');
    assert.equal(notice.querySelector('.notice-lead').textContent, 'Your question was merged into:');
    assert.equal(notice.querySelector('.notice-question').textContent, '“Question p1”');
    assert.equal($('#post-list [data-post-id="p2"]'), null, 'the duplicate is not in the list');
    notice.querySelector('.notice-dismiss').click();
    await flush();
    assert.equal($$('#merge-notices li').length, 0);

    await visit();  // a reload in the same tab
    assert.equal($$('#merge-notices li').length, 0, 'a dismissed notice came back after a reload');
    await loadPage('/', 'index.html', '#token=JWT1', 'employee.js');  // another tab
    FakeSocket.all[0].open();
    FakeSocket.all[0].receive(mine);
    await flush();
    assert.ok($('#merge-notices [data-post-id="p2"]'), 'a new tab shows the notice again');
  } finally {
    mock.timers.reset();
  }
});
