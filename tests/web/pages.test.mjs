// Smoke tests of the three pages against a tiny fake DOM and a fake WebSocket, so the
// render paths run under node: node --test Web/js/
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';

import { $, FakeSocket, flush, input, loadPage } from './testing/harness.mjs';

const EVIL = '<img src=x onerror=alert(1)>';

function post(id, extra = {}) {
  return {
    id, cycle: 1, text: `Question ${id}`, author: { name: 'Ann', office: 'Dublin' }, office: 'Dublin',
    createdAt: Date.now() - 60_000, up: 2, down: 1, score: 1, comments: 0, status: 'open', ...extra,
  };
}

function welcome(extra = {}) {
  return {
    type: 'welcome',
    user: { id: 'u1', name: 'Ann', office: 'Dublin', role: 'employee' },
    epoch: 'E', seq: 4,
    cycle: { id: 1, startedAt: Date.now() - 86_400_000 },
    townhall: { state: 'live', title: 'All hands', stream: 'https://video.example.com/live', onAir: 'p3' },
    posts: [post('p1', { text: EVIL, author: null, up: 9, score: 9 }), post('p2'), post('p3', { status: 'onair' })],
    ranks: { top: ['p1', 'p2', 'p3'], hot: ['p2', 'p1', 'p3'], best: ['p1', 'p2', 'p3'], new: ['p3', 'p2', 'p1'] },
    myVotes: { p2: 1 },
    comments: [{ id: 'c1', post: null, text: EVIL, author: { name: 'Bo', office: 'Oslo' }, createdAt: Date.now() }],
    announcements: [{ id: 'a1', text: 'Doors open at 3', createdAt: Date.now() }],
    presence: { total: 1284, offices: Object.fromEntries([...'abcdefghi'].map((k) => [k, 1])) },
    recovered: false,
    ...extra,
  };
}

test('employee page: sign-in from the fragment, render, vote, post, thread, live comment', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  try {
    await loadPage('/', 'index.html', '#token=JWT1', 'employee.js');
    assert.equal(location.hash, '', 'token removed from the address');
    assert.equal(sessionStorage.getItem('townhall.token'), 'JWT1');
    const ws = FakeSocket.all[0];
    assert.equal(ws.url, 'ws://localhost:8080/ws');
    ws.open();
    assert.deepEqual(ws.sent[0], { type: 'hello', token: 'JWT1', ranks: 'changes', posts: 'counts' });
    ws.receive(welcome());
    await flush();

    assert.equal($('#conn-state').dataset.state, 'connected');
    assert.equal($('#presence').textContent, '1,284 watching from 9 offices');
    const rows = document.querySelectorAll('#post-list [data-post-id]');
    assert.deepEqual(rows.map((r) => r.dataset.postId), ['p1', 'p2', 'p3']);
    const p1 = $('[data-post-id="p1"]');
    assert.equal(p1.querySelector('.post-text').textContent, EVIL, 'user text shown literally');
    assert.equal(document.querySelectorAll('img').length, 0);
    assert.match(p1.textContent, /Anonymous · Dublin/);
    assert.equal(p1.querySelector('.score').textContent, '9');
    assert.equal($('[data-post-id="p2"] .vote-up').getAttribute('aria-pressed'), 'true');
    assert.equal($('[data-post-id="p3"] .status').textContent, 'on air');
    assert.equal($('#on-air-text').textContent, 'Question p3');
    assert.equal($('#stream iframe').getAttribute('src'), 'https://video.example.com/live');
    assert.equal($('#stream iframe').getAttribute('allow'), 'autoplay; fullscreen');
    // The newest announcement is the banner at the top; earlier ones are listed at the side.
    assert.equal($('#latest-announcement').hidden, false);
    assert.equal($('#latest-announcement-text').textContent, 'Doors open at 3');
    assert.equal($('#announcements').hidden, true, 'no earlier announcements yet');
    assert.equal($('#live-comments .comment-text').textContent, EVIL);
    // Rows' buttons are told apart by the question they belong to.
    assert.equal($('[data-post-id="p2"] .vote-up').getAttribute('aria-describedby'), $('[data-post-id="p2"] .post-text').id);

    // Tabs reorder from ranks.
    $('[data-ordering="new"]').click();
    await flush();
    assert.deepEqual(document.querySelectorAll('#post-list [data-post-id]').map((r) => r.dataset.postId), ['p3', 'p2', 'p1']);
    $('[data-ordering="top"]').click();
    await flush();

    // Voting sends values; the active thumb again takes it back.
    $('[data-post-id="p2"] .vote-up').click();
    const v = ws.sentOf('vote').at(-1);
    assert.deepEqual({ post: v.post, value: v.value }, { post: 'p2', value: 0 });
    ws.receive({ type: 'ack', id: v.id, post: post('p2', { up: 1, score: 0 }), value: 0 });
    await flush();
    assert.equal($('[data-post-id="p2"] .vote-up').getAttribute('aria-pressed'), 'false');
    $('[data-post-id="p1"] .vote-down').click();
    const d = ws.sentOf('vote').at(-1);
    assert.equal(d.value, -1);
    ws.receive({ type: 'error', id: d.id, code: 'rate_limited', message: 'slow' });
    await flush();
    assert.equal($('[data-post-id="p1"] .error').textContent, "You're voting too fast. Wait a moment and try again.");

    // Posting: live count, the text stays until the ack, the key survives a reconnect.
    input($('#post-text'), 'Why is the coffee machine broken?');
    assert.equal($('#post-count').textContent, '33 / 1,000');
    $('#post-anonymous').click();
    $('#post-submit').click();
    const sentPost = ws.sentOf('post')[0];
    assert.equal(sentPost.anonymous, true);
    assert.ok(sentPost.key);
    ws.drop(1006);
    await flush();
    assert.equal($('#conn-state').dataset.state, 'reconnecting');
    assert.equal($('#post-text').value, 'Why is the coffee machine broken?');
    mock.timers.tick(2000); // the first backoff is at most 2 s; flush's ticks make 1.8 s
    const ws2 = FakeSocket.all[1];
    ws2.open();
    assert.deepEqual(ws2.sent[0].resume, { epoch: 'E', seq: 4 });
    ws2.receive({ type: 'welcome', recovered: true, user: welcome().user, epoch: 'E', seq: 4, cycle: welcome().cycle, townhall: welcome().townhall, presence: welcome().presence, myVotes: {} });
    const resent = ws2.sentOf('post')[0];
    assert.equal(resent.key, sentPost.key);
    ws2.receive({ type: 'ack', id: resent.id, post: post('p9', { text: resent.text, author: null, status: 'pending' }) });
    ws2.receive({ type: 'update', seq: 5, posts: [post('p2', { up: 7, score: 6 })], ranks: { top: ['p2', 'p1', 'p3'] } });
    await flush();
    assert.equal($('#post-text').value, '');
    assert.equal($('#my-pending').hidden, false);
    assert.equal($('#my-pending [data-post-id="p9"] .status').textContent, 'waiting for review');
    assert.deepEqual(document.querySelectorAll('#post-list [data-post-id]').map((r) => r.dataset.postId), ['p2', 'p1', 'p3']);
    assert.equal($('[data-post-id="p2"] .score').textContent, '6');

    // Too long is refused before sending.
    input($('#post-text'), 'x'.repeat(1001));
    $('#post-submit').click();
    assert.equal($('#post-error').textContent,
      'Too long: 1,001 characters. A question can be at most 1,000 characters — shorten it and try again.');
    assert.equal(ws2.sentOf('post').length, 1);

    // A thread: request, ack, live appends.
    $('[data-post-id="p1"] .comments-toggle').click();
    const th = ws2.sentOf('thread')[0];
    assert.equal(th.post, 'p1');
    ws2.receive({ type: 'ack', id: th.id, post: post('p1', { text: EVIL, author: null, comments: 1 }), comments: [{ id: 'k1', post: 'p1', text: 'first', author: { name: 'Cy', office: 'Rome' }, createdAt: 1 }] });
    await flush();
    const thread = $('[data-post-id="p1"] .thread');
    assert.equal(thread.hidden, false);
    assert.deepEqual(thread.querySelectorAll('.comment-text').map((c) => c.textContent), ['first']);
    ws2.receive({ type: 'update', seq: 6, comments: [{ id: 'k2', post: 'p1', text: 'second', author: { name: 'Di', office: 'Rome' }, createdAt: 2 }] });
    await flush();
    assert.deepEqual(thread.querySelectorAll('.comment-text').map((c) => c.textContent), ['first', 'second']);
    input(thread.querySelector('textarea'), 'my reply');
    thread.querySelector('.thread-submit').click();
    const cm = ws2.sentOf('comment')[0];
    assert.deepEqual({ post: cm.post, text: cm.text }, { post: 'p1', text: 'my reply' });
    ws2.receive({ type: 'error', id: cm.id, code: 'rate_limited', message: 'slow down: at most 30 comments a minute' });
    await flush();
    assert.equal(thread.querySelector('.thread-error').textContent,
      "You're commenting too fast (at most 30 comments a minute). Wait a moment and try again — your text is kept.");
    assert.equal(thread.querySelector('textarea').value, 'my reply');

    // Live comment: an error keeps the text.
    input($('#live-comment-text'), 'hello room');
    $('#live-comment-submit').click();
    const lc = ws2.sentOf('comment').at(-1);
    assert.equal(lc.post, undefined);
    ws2.receive({ type: 'error', id: lc.id, code: 'too_large', message: 'x' });
    await flush();
    assert.equal($('#live-comment-error').textContent,
      'Too long: a comment can be at most 500 characters — shorten it and try again.');
    assert.equal($('#live-comment-text').value, 'hello room');

    // A new announcement takes the banner; the earlier one moves to the side.
    ws2.receive({ type: 'update', seq: 7, announcements: [{ id: 'a2', text: 'Starting in 5 minutes', createdAt: Date.now() + 1 }] });
    await flush();
    assert.equal($('#latest-announcement-text').textContent, 'Starting in 5 minutes');
    assert.equal($('#announcements').hidden, false);
    assert.deepEqual(document.querySelectorAll('#announcement-list .announcement-text').map((n) => n.textContent), ['Doors open at 3']);

    // Removed posts leave the list.
    ws2.receive({ type: 'update', seq: 8, removed: ['p1'], ranks: { top: ['p2', 'p3'] } });
    await flush();
    assert.equal($('[data-post-id="p1"]'), null);

    // 4001: signed out, no more tries.
    ws2.drop(4001);
    await flush();
    assert.equal($('#conn-state').dataset.state, 'signed-out');
    assert.equal($('#signin').hidden, false);
    assert.equal(sessionStorage.getItem('townhall.token'), null);
  } finally {
    mock.timers.reset();
  }
});

test('employee page without a token asks to open the link', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  try {
    await loadPage('/', 'index.html', '', 'employee.js');
    assert.equal(FakeSocket.all.length, 0);
    assert.equal($('#signin').hidden, false);
    assert.match($('#signin').textContent, /Open the link you were given to sign in/);
    assert.equal($('#conn-state').dataset.state, 'signed-out');
  } finally {
    mock.timers.reset();
  }
});

test('host console: groups and one-click moderation, townhall, announce, close the week', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  try {
    await loadPage('/host', 'host.html', '#token=HOST', 'host.js');
    const ws = FakeSocket.all[0];
    ws.open();
    ws.receive(welcome({
      user: { id: 'h', name: 'Hal', office: 'HQ', role: 'host' },
      townhall: { state: 'ended' },
      posts: [post('p1'), post('p2', { status: 'shortlisted' }), post('p3', { status: 'answered' }), post('p4', { status: 'pending', note: 'check' })],
      ranks: { top: ['p1', 'p2', 'p3', 'p4'] },
    }));
    await flush();
    assert.equal($('#console').hidden, false);
    assert.equal($('#host-denied').hidden, true);
    assert.ok($('#group-open [data-post-id="p1"]'));
    assert.ok($('#group-shortlisted [data-post-id="p2"]'));
    assert.ok($('#group-answered [data-post-id="p3"]'));
    assert.ok($('#group-pending [data-post-id="p4"]'));
    assert.equal($('[data-post-id="p1"] .act-reopen').hidden, true);
    assert.equal($('[data-post-id="p2"] .act-shortlist').hidden, true);
    assert.equal($('[data-post-id="p4"] .act-reopen').textContent, 'Approve');
    assert.equal($('[data-group="pending"]').hidden, false, 'the review queue shows when something waits');
    const offered = (id) => $(`[data-post-id="${id}"] .actions`).children.filter((b) => !b.hidden).map((b) => b.textContent);
    assert.deepEqual(offered('p4'), ['Approve', 'Shortlist', 'Hide']);
    assert.deepEqual(offered('p1'), ['Shortlist', 'On air', 'Answered', 'Dismiss', 'Hide']);

    $('[data-post-id="p1"] .act-onair').click();
    const m = ws.sentOf('moderate')[0];
    assert.deepEqual({ post: m.post, status: m.status }, { post: 'p1', status: 'onair' });
    ws.receive({ type: 'ack', id: m.id });
    ws.receive({ type: 'update', seq: 5, posts: [post('p1', { status: 'onair' })], townhall: { state: 'ended', onAir: 'p1' } });
    await flush();
    assert.ok($('#group-onair [data-post-id="p1"]'));
    assert.equal($('#on-air [data-post-id="p1"] .status').textContent, 'on air');
    assert.ok($('[data-post-id="p1"] .act-answered').classList.contains('primary'), 'answering is the next step');
    ws.receive({ type: 'update', seq: 6, posts: [post('p4', { status: 'open' })] });
    await flush();
    assert.equal($('[data-group="pending"]').hidden, true, 'an empty review queue is out of the way');
    assert.deepEqual(offered('p4'), ['Shortlist', 'On air', 'Answered', 'Dismiss', 'Hide']);

    input($('#townhall-title'), 'November all-hands');
    input($('#townhall-stream'), 'http://insecure.example.com');
    $('#townhall-start').click();
    assert.match($('#townhall-error').textContent, /https/);
    assert.equal(ws.sentOf('townhall').length, 0);
    input($('#townhall-stream'), 'https://video.example.com/live');
    $('#townhall-start').click();
    const t = ws.sentOf('townhall')[0];
    assert.deepEqual({ state: t.state, title: t.title, stream: t.stream }, { state: 'live', title: 'November all-hands', stream: 'https://video.example.com/live' });

    input($('#announce-text'), 'Coffee in the lobby');
    $('#announce-submit').click();
    const a = ws.sentOf('announce')[0];
    assert.equal(a.text, 'Coffee in the lobby');
    ws.receive({ type: 'ack', id: a.id, announcement: { id: 'a9', text: 'Coffee in the lobby', createdAt: Date.now() } });
    await flush();
    assert.equal($('#announce-text').value, '');
    assert.match($('#announcements').textContent, /Coffee in the lobby/);

    $('#cycle-close').click();
    const c = ws.sentOf('cycle')[0];
    assert.equal(c.action, 'close');
    ws.receive({ type: 'error', id: c.id, code: 'forbidden', message: 'only host may close the cycle' });
    await flush();
    assert.equal($('#cycle-error').textContent, 'Only the host can close the week.');
  } finally {
    mock.timers.reset();
  }
});

test('host console refuses employees', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  try {
    await loadPage('/host', 'host.html', '#token=EMP', 'host.js');
    const ws = FakeSocket.all[0];
    ws.open();
    ws.receive(welcome());
    await flush();
    assert.equal($('#host-denied').hidden, false);
    assert.equal($('#console').hidden, true);
    assert.match($('#host-denied').textContent, /for hosts/);
  } finally {
    mock.timers.reset();
  }
});

test('room screen: on air, up next (top five, without on-air/answered/dismissed), latest comments', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  try {
    await loadPage('/screen', 'screen.html', '#token=SCR', 'screen.js');
    const ws = FakeSocket.all[0];
    ws.open();
    const posts = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((id, i) => post(id, { score: 20 - i }));
    posts[0].status = 'onair';
    posts[1].status = 'answered';
    posts[2].status = 'dismissed';
    const comments = Array.from({ length: 15 }, (_, i) => ({ id: `c${i}`, post: null, text: `comment ${i}`, author: { name: 'X', office: 'Y' }, createdAt: i }));
    ws.receive(welcome({ posts, ranks: { top: posts.map((p) => p.id) }, townhall: { state: 'live', title: 'Q4', onAir: 'a' }, comments }));
    await flush();
    assert.equal($('#townhall-heading').textContent, 'Q4');
    assert.equal($('#on-air-text').textContent, 'Question a');
    assert.deepEqual(document.querySelectorAll('#up-next [data-post-id]').map((r) => r.dataset.postId), ['d', 'e', 'f', 'g', 'h']);
    const shown = document.querySelectorAll('#live-comments .comment-text').map((c) => c.textContent);
    // The latest twelve, newest first (the stylesheet stacks them upwards from the bottom).
    assert.equal(shown.length, 12);
    assert.equal(shown[0], 'comment 14');
    assert.equal(shown.at(-1), 'comment 3');
    assert.equal(document.querySelectorAll('textarea').length, 0, 'read-only');
  } finally {
    mock.timers.reset();
  }
});
