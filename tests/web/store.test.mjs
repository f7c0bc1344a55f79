// Unit tests for the pure client logic: node --test Web/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Store, mergeById } from '../../Web/js/store.js';
import { backoffDelay } from '../../Web/js/connection.js';
import {
  authorLabel, charCount, errorText, formatPresence, safeStreamUrl, statusLabel, textLength,
} from '../../Web/js/format.js';

function post(id, extra = {}) {
  return {
    id, cycle: 1, text: `text ${id}`, author: { name: 'Ann', office: 'Dublin' }, office: 'Dublin',
    createdAt: 1000, up: 0, down: 0, score: 0, comments: 0, status: 'open', ...extra,
  };
}

function welcome(extra = {}) {
  return {
    type: 'welcome',
    user: { id: 'u1', name: 'Ann', office: 'Dublin', role: 'employee' },
    epoch: 'e1',
    seq: 10,
    cycle: { id: 1, startedAt: 0 },
    townhall: { state: 'ended', title: null, stream: null, onAir: null },
    posts: [post('p1', { up: 3, score: 3 }), post('p2', { createdAt: 2000 })],
    ranks: { top: ['p1', 'p2'], hot: ['p1', 'p2'], best: ['p1', 'p2'], new: ['p2', 'p1'] },
    myVotes: { p1: 1 },
    comments: [{ id: 'c1', post: null, text: 'hi', author: { name: 'Bo', office: 'Oslo' }, createdAt: 5 }],
    announcements: [{ id: 'a1', text: 'Welcome', createdAt: 7 }],
    presence: { total: 2, offices: { Dublin: 1, Oslo: 1 } },
    recovered: false,
    ...extra,
  };
}

test('a full welcome fills the store', () => {
  const store = new Store();
  store.applyMessage(welcome());
  assert.equal(store.user.name, 'Ann');
  assert.deepEqual(store.resumeInfo(), { epoch: 'e1', seq: 10 });
  assert.deepEqual(store.rankedPosts('top').map((p) => p.id), ['p1', 'p2']);
  assert.deepEqual(store.rankedPosts('new').map((p) => p.id), ['p2', 'p1']);
  assert.equal(store.myVote('p1'), 1);
  assert.equal(store.myVote('p2'), 0);
  assert.equal(store.liveComments.length, 1);
  assert.equal(store.announcements[0].id, 'a1');
});

test('an update replaces posts by id, appends comments and prepends announcements, deduped', () => {
  const store = new Store();
  store.applyMessage(welcome());
  const update = {
    type: 'update',
    seq: 11,
    posts: [post('p2', { up: 5, score: 5, createdAt: 2000 })],
    ranks: { top: ['p2', 'p1'] },
    comments: [
      { id: 'c2', post: null, text: 'second', author: { name: 'Cy', office: 'Rome' }, createdAt: 8 },
      { id: 'c1', post: null, text: 'hi', author: { name: 'Bo', office: 'Oslo' }, createdAt: 5 },
    ],
    announcements: [{ id: 'a2', text: 'Later', createdAt: 9 }, { id: 'a1', text: 'Welcome', createdAt: 7 }],
  };
  store.applyMessage(update);
  store.applyMessage(update); // the same frame twice is harmless
  assert.equal(store.seq, 11);
  assert.equal(store.post('p2').score, 5);
  assert.equal(store.posts.size, 2);
  assert.deepEqual(store.rankedPosts('top').map((p) => p.id), ['p2', 'p1']);
  // Orderings that were not in the update stay as they were.
  assert.deepEqual(store.ranks.new, ['p2', 'p1']);
  assert.deepEqual(store.liveComments.map((c) => c.id), ['c1', 'c2']);
  assert.deepEqual(store.announcements.map((a) => a.id), ['a2', 'a1']);
});

test('counts are laid over the posts held, and counts for a post not held are ignored', () => {
  const store = new Store();
  store.applyMessage(welcome());
  const heard = [];
  store.subscribe((changes) => heard.push([...changes]));
  const before = store.post('p1');
  store.applyMessage({
    type: 'update',
    seq: 11,
    counts: { p1: { up: 4, down: 1, score: 3, comments: 2 }, p9: { up: 1, down: 0, score: 1, comments: 0 } },
    ranks: { top: ['p1', 'p2'] },
  });
  assert.deepEqual(
    { up: store.post('p1').up, down: store.post('p1').down, score: store.post('p1').score, comments: store.post('p1').comments },
    { up: 4, down: 1, score: 3, comments: 2 },
  );
  assert.equal(store.post('p1').text, 'text p1');
  assert.equal(before.up, 3, 'the post object held before is not changed in place');
  assert.equal(store.post('p9'), undefined);
  assert.ok(heard[0].includes('posts'));
  // Only counts for a post not held: nothing about posts changed.
  store.applyMessage({ type: 'update', seq: 12, counts: { p9: { up: 2, down: 0, score: 2, comments: 0 } }, presence: { total: 3, offices: {} } });
  assert.ok(!heard[1].includes('posts'));
});

test('removed deletes posts from posts, ranks and threads', () => {
  const store = new Store();
  store.applyMessage(welcome());
  store.applyAck({ type: 'thread', post: 'p1', id: 1 }, { type: 'ack', id: 1, post: post('p1', { up: 3, score: 3 }), comments: [] });
  assert.ok(store.thread('p1'));
  store.applyMessage({ type: 'update', seq: 11, removed: ['p1'] });
  assert.equal(store.post('p1'), undefined);
  assert.equal(store.thread('p1'), undefined);
  assert.deepEqual(store.ranks.top, ['p2']);
  assert.deepEqual(store.rankedPosts('hot').map((p) => p.id), ['p2']);
  // Removing again is harmless.
  store.applyMessage({ type: 'update', seq: 12, removed: ['p1'] });
  assert.deepEqual(store.ranks.top, ['p2']);
});

test('a recovered welcome keeps posts and takes the small parts', () => {
  const store = new Store();
  store.applyMessage(welcome());
  store.applyMessage({
    type: 'welcome', recovered: true, user: { id: 'u1', name: 'Ann', office: 'Dublin', role: 'employee' },
    epoch: 'e1', seq: 15, cycle: { id: 1, startedAt: 0 },
    townhall: { state: 'live', title: 'All hands', onAir: 'p2' },
    presence: { total: 9, offices: { Dublin: 9 } }, myVotes: { p2: -1 },
  });
  assert.equal(store.posts.size, 2);
  assert.equal(store.liveComments.length, 1);
  assert.equal(store.townhall.state, 'live');
  assert.equal(store.townhall.stream, null);
  assert.equal(store.onAirPost().id, 'p2');
  assert.equal(store.myVote('p1'), 0);
  assert.equal(store.myVote('p2'), -1);
  assert.equal(store.seq, 15);
  // The missed updates follow and apply as usual.
  store.applyMessage({ type: 'update', seq: 16, posts: [post('p3', { createdAt: 3000 })], ranks: { new: ['p3', 'p2', 'p1'] } });
  assert.deepEqual(store.rankedPosts('new').map((p) => p.id), ['p3', 'p2', 'p1']);
});

test('a full welcome after a reconnect replaces everything', () => {
  const store = new Store();
  store.applyMessage(welcome());
  store.applyAck({ type: 'thread', post: 'p1', id: 1 }, { type: 'ack', id: 1, post: 'p1', comments: [] });
  store.applyMessage(welcome({ epoch: 'e2', seq: 1, posts: [post('p9')], ranks: { top: ['p9'] }, comments: [], announcements: [] }));
  assert.deepEqual([...store.posts.keys()], ['p9']);
  assert.deepEqual(store.ranks.top, ['p9']);
  assert.deepEqual(store.ranks.hot, []);
  assert.equal(store.thread('p1'), undefined);
  assert.equal(store.liveComments.length, 0);
  assert.deepEqual(store.resumeInfo(), { epoch: 'e2', seq: 1 });
});

test('a townhall update replaces the whole stage (absent fields are null)', () => {
  const store = new Store();
  store.applyMessage(welcome({ townhall: { state: 'live', title: 'T', stream: 'https://v.example/x', onAir: 'p1' } }));
  assert.equal(store.onAirPost().id, 'p1');
  store.applyMessage({ type: 'update', seq: 11, townhall: { state: 'live', title: 'T' } });
  assert.equal(store.townhall.onAir, null);
  assert.equal(store.townhall.stream, null);
  assert.equal(store.onAirPost(), null);
});

test('thread comments: loaded by ack, then appended from updates, deduped', () => {
  const store = new Store();
  store.applyMessage(welcome());
  const c = (id, at, p = 'p1') => ({ id, post: p, text: id, author: { name: 'A', office: 'B' }, createdAt: at });
  // Before the thread is loaded, its comments are not kept (a partial list would look complete).
  store.applyMessage({ type: 'update', seq: 11, comments: [c('t0', 1)] });
  assert.equal(store.thread('p1'), undefined);
  store.applyAck({ type: 'thread', post: 'p1', id: 3 }, { type: 'ack', id: 3, post: post('p1', { comments: 2 }), comments: [c('t0', 1), c('t1', 2)] });
  assert.deepEqual(store.thread('p1').map((x) => x.id), ['t0', 't1']);
  assert.equal(store.post('p1').comments, 2);
  store.applyMessage({ type: 'update', seq: 12, comments: [c('t1', 2), c('t2', 3), c('x', 4, 'p2')] });
  assert.deepEqual(store.thread('p1').map((x) => x.id), ['t0', 't1', 't2']);
  assert.equal(store.thread('p2'), undefined);
  // Our own comment's ack and the update that carries it again: one copy.
  store.applyAck({ type: 'comment', post: 'p1', text: 't3', id: 4 }, { type: 'ack', id: 4, comment: c('t3', 4) });
  store.applyMessage({ type: 'update', seq: 13, comments: [c('t3', 4)] });
  assert.deepEqual(store.thread('p1').map((x) => x.id), ['t0', 't1', 't2', 't3']);
  assert.equal(store.liveComments.length, 1);
});

test('vote acks set my vote, whether the ack carries the post or its id', () => {
  const store = new Store();
  store.applyMessage(welcome());
  store.applyAck({ type: 'vote', post: 'p2', value: -1, id: 5 }, { type: 'ack', id: 5, post: post('p2', { down: 1, score: -1 }), value: -1 });
  assert.equal(store.myVote('p2'), -1);
  assert.equal(store.post('p2').score, -1);
  store.applyAck({ type: 'vote', post: 'p1', value: 0, id: 6 }, { type: 'ack', id: 6, post: 'p1', value: 0 });
  assert.equal(store.myVote('p1'), 0);
});

test('a post ack adds my post; own pending posts are listed apart', () => {
  const store = new Store();
  store.applyMessage(welcome());
  store.applyAck({ type: 'post', text: 'new', id: 7, key: 'k' }, { type: 'ack', id: 7, post: post('p7', { status: 'pending', author: null, createdAt: 9000 }) });
  assert.ok(store.myPostIds.has('p7'));
  assert.deepEqual(store.pendingOwnPosts().map((p) => p.id), ['p7']);
  assert.equal(store.rankedPosts('top').some((p) => p.id === 'p7'), false);
});

test('a new cycle drops the old posts, ranks and votes', () => {
  const store = new Store();
  store.applyMessage(welcome());
  store.applyMessage({
    type: 'update', seq: 11, cycle: { id: 2, startedAt: 99 },
    posts: [post('q1', { cycle: 2 })], ranks: { top: ['q1'], hot: ['q1'], best: ['q1'], new: ['q1'] },
  });
  assert.deepEqual([...store.posts.keys()], ['q1']);
  assert.equal(store.myVote('p1'), 0);
  assert.deepEqual(store.rankedPosts('top').map((p) => p.id), ['q1']);
  // Announcements and live comments belong to the townhall, not the week.
  assert.equal(store.announcements.length, 1);
});

test('upNext leaves out the on-air, answered and dismissed posts', () => {
  const store = new Store();
  const posts = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((id, i) => post(id, { score: 10 - i, createdAt: i }));
  posts[0].status = 'onair';
  posts[1].status = 'answered';
  posts[2].status = 'dismissed';
  posts[3].status = 'shortlisted';
  store.applyMessage(welcome({
    posts, ranks: { top: posts.map((p) => p.id) },
    townhall: { state: 'live', onAir: 'a' },
  }));
  assert.deepEqual(store.upNext(5).map((p) => p.id), ['d', 'e', 'f', 'g', 'h']);
  assert.equal(store.onAirPost().id, 'a');
});

test('host groups follow the ranking and add known unranked posts', () => {
  const store = new Store();
  store.applyMessage(welcome({
    user: { id: 'h', name: 'Host', office: 'HQ', role: 'host' },
    posts: [post('p1', { score: 1 }), post('p2', { status: 'hidden', score: 5 }), post('p3', { status: 'shortlisted' }), post('p4', { status: 'pending' })],
    ranks: { top: ['p2', 'p1', 'p3'] },
  }));
  const g = store.groupedPosts('top');
  assert.deepEqual(g.open.map((p) => p.id), ['p1']);
  assert.deepEqual(g.hidden.map((p) => p.id), ['p2']);
  assert.deepEqual(g.shortlisted.map((p) => p.id), ['p3']);
  assert.deepEqual(g.pending.map((p) => p.id), ['p4']);
  assert.ok(store.isStaff && store.isHost);
});

test('subscribers hear once per frame, with the names of what changed', () => {
  const store = new Store();
  const heard = [];
  store.subscribe((changes) => heard.push([...changes]));
  store.applyMessage(welcome());
  store.applyMessage({ type: 'update', seq: 11, presence: { total: 1, offices: {} } });
  assert.equal(heard.length, 2);
  assert.ok(heard[0].includes('full'));
  assert.ok(heard[1].includes('presence'));
});

test('mergeById returns the same array when nothing is new', () => {
  const list = [{ id: 'a', createdAt: 1 }];
  assert.equal(mergeById(list, [{ id: 'a', createdAt: 1 }], () => 0), list);
  assert.notEqual(mergeById(list, [{ id: 'b', createdAt: 2 }], () => 0), list);
});

test('format helpers', () => {
  assert.equal(formatPresence({ total: 1284, offices: Object.fromEntries([...'abcdefghi'].map((k) => [k, 1])) }), '1,284 watching from 9 offices');
  assert.equal(formatPresence({ total: 1, offices: { Dublin: 1 } }), '1 watching from 1 office');
  assert.equal(authorLabel({ author: null, office: 'Oslo' }), 'Anonymous · Oslo');
  assert.equal(authorLabel({ author: { name: 'Ann', office: 'Dublin' }, office: 'Dublin' }), 'Ann · Dublin');
  assert.equal(statusLabel('pending'), 'waiting for review');
  assert.equal(statusLabel('onair'), 'on air');
  assert.equal(charCount('a😀b'), 3);
  // Plain words, naming the limit when the server's message says it, and keeping the text.
  assert.equal(errorText({ code: 'rate_limited', message: 'x' }, 'post'),
    "You're posting too fast. Wait a minute and try again — your text is kept.");
  assert.equal(errorText({ code: 'rate_limited', message: 'slow down: at most 5 posts a minute' }, 'post'),
    "You're posting too fast: at most 5 questions a minute. Wait a minute and try again — your text is kept.");
  assert.equal(errorText({ code: 'too_large', length: 1234 }, 'post'),
    'Too long: 1,234 characters. A question can be at most 1,000 characters — shorten it and try again.');
  assert.equal(errorText({ code: 'too_large' }, 'announce'),
    'Too long: an announcement can be at most 2,000 characters — shorten it and try again.');
  assert.equal(errorText({ code: 'too_large' }), 'Too long — shorten it and try again.');
  assert.equal(errorText({ code: 'forbidden' }, 'announce'), 'Only the host can send announcements.');
  assert.equal(errorText({ code: 'forbidden' }, 'townhall'), 'Only the host can start or end the townhall.');
  assert.equal(errorText({ code: 'forbidden' }), "You're not allowed to do that.");
  assert.equal(errorText({ code: 'invalid_text', message: 'post text must not be empty' }, 'post'), 'Write something first.');
  assert.match(errorText({ code: 'invalid_text', message: 'post text must not contain control characters' }), /control characters/);
  assert.equal(errorText({ code: 'conflict', message: 'voting on this post has closed' }, 'vote'),
    'Voting on this question has closed: it belongs to a past week.');
  assert.equal(errorText({ code: 'not_found' }, 'vote'), 'This question is no longer available — it may have been removed.');
  assert.equal(textLength('x'.repeat(80)), 'short');
  assert.equal(textLength('x'.repeat(81)), 'medium');
  assert.equal(textLength('x'.repeat(201)), 'long');
  assert.equal(safeStreamUrl('https://video.example.com/live'), 'https://video.example.com/live');
  assert.equal(safeStreamUrl('http://video.example.com/live'), null);
  assert.equal(safeStreamUrl('javascript:alert(1)'), null);
  assert.equal(safeStreamUrl(''), null);
});

test('backoff: full jitter from 0.25 s up to a ceiling of 2 s doubling to 30 s', () => {
  assert.equal(backoffDelay(0, () => 0), 250);
  assert.equal(backoffDelay(0, () => 1), 2000);
  assert.equal(backoffDelay(1, () => 1), 4000);
  assert.equal(backoffDelay(3, () => 1), 16000);
  assert.equal(backoffDelay(4, () => 1), 30000);
  assert.equal(backoffDelay(50, () => 1), 30000);
  assert.equal(backoffDelay(50, () => 0), 250);
  // 18,000 first attempts land spread over the whole window, not in one part of it.
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 18_000; i++) counts[Math.min(3, Math.floor((backoffDelay(0) - 250) / 437.5))]++;
  for (const count of counts) assert.ok(count > 4_000 && count < 5_000, `quarter held ${count}`);
});
