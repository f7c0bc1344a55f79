// Polls (PROTOCOL.md §9): the store's polls and myAnswers, the pure helpers, and the three
// pages under the fake DOM — the employee's card, the host's panel, the room screen's bars.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Store } from '../../Web/js/store.js';
import { checkPoll, featuredPoll, nextChoices, pollRows, votersText } from '../../Web/js/polls.js';
import { $, $$, EMPLOYEE_PAGE, flush, HOST_PAGE, input, onPage, SCREEN_PAGE } from './testing/harness.mjs';

function poll(id, extra = {}) {
  return {
    id, cycle: 1, question: `Question ${id}?`, multi: false, state: 'open', voters: 0, createdAt: 1000, closedAt: null,
    options: [{ text: 'Monday', votes: 0 }, { text: 'Wednesday', votes: 0 }, { text: 'Friday', votes: 0 }],
    ...extra,
  };
}

function votes(...counts) {
  return ['Monday', 'Wednesday', 'Friday'].map((text, i) => ({ text, votes: counts[i] ?? 0 }));
}

function welcome(extra = {}) {
  return {
    type: 'welcome', user: { id: 'u1', name: 'Ann', office: 'Dublin', role: 'employee' }, epoch: 'E', seq: 1,
    cycle: { id: 1, startedAt: 0 }, townhall: { state: 'live', title: 'All hands', stream: null, onAir: null },
    posts: [], ranks: { top: [], hot: [], best: [], new: [] }, myVotes: {}, comments: [], announcements: [],
    presence: { total: 1, offices: { Dublin: 1 } }, recovered: false, polls: [], myAnswers: {},
    ...extra,
  };
}

// ---- the store ----

test('store: welcome polls newest first, updates replace them by id, answers come from welcome and acks', () => {
  const store = new Store();
  store.applyMessage(welcome({
    polls: [poll('q1', { state: 'closed', createdAt: 500 }), poll('q2', { createdAt: 900 })],
    myAnswers: { q1: [2], q2: [] },
  }));
  assert.deepEqual(store.polls.map((p) => p.id), ['q2', 'q1'], 'sorted newest first whatever the order sent');
  assert.deepEqual(store.myAnswer('q1'), [2]);
  assert.deepEqual(store.myAnswer('q2'), []);
  assert.deepEqual(store.myAnswer('q9'), []);

  const seen = [];
  store.subscribe((changes) => seen.push(changes));
  store.applyMessage({ type: 'update', seq: 2, polls: [poll('q2', { createdAt: 900, voters: 2, options: votes(0, 2, 0) })] });
  store.applyMessage({ type: 'update', seq: 3, polls: [poll('q2', { createdAt: 900, voters: 2, options: votes(0, 2, 0) })] });
  assert.equal(store.polls.length, 2, 'the same poll twice is one poll');
  assert.equal(store.poll('q2').voters, 2);
  assert.ok(seen[0].has('polls'));

  // A new poll (the server closed q2 in the same change).
  store.applyMessage({ type: 'update', seq: 4, polls: [poll('q2', { createdAt: 900, state: 'closed' }), poll('q3', { createdAt: 900 })] });
  assert.deepEqual(store.polls.map((p) => p.id), ['q3', 'q2', 'q1'], 'same createdAt: the later id first');

  // The ack of a poll answer: the poll with its counts and the choices, ascending.
  store.applyAck({ type: 'answer', poll: 'q3', choices: [1], id: 7 },
    { type: 'ack', id: 7, poll: poll('q3', { createdAt: 900, voters: 1, options: votes(0, 1, 0) }), choices: [1] });
  assert.deepEqual(store.myAnswer('q3'), [1]);
  assert.equal(store.poll('q3').voters, 1);
  // The written follow-up to a post is `answer` too: it leaves the poll answers alone.
  store.applyAck({ type: 'answer', post: 'p1', text: 'Yes', id: 8 }, { type: 'ack', id: 8, post: { id: 'p1', cycle: 1, status: 'answered' } });
  assert.deepEqual(store.myAnswer('q3'), [1]);
  assert.equal(store.post('p1').status, 'answered');
  // The host's open: the ack carries the new poll.
  store.applyAck({ type: 'poll', action: 'open', id: 9 }, { type: 'ack', id: 9, poll: poll('q4', { createdAt: 2000 }) });
  assert.equal(store.polls[0].id, 'q4');
});

test('store: a recovered welcome keeps the polls and takes myAnswers; a new cycle drops both', () => {
  const store = new Store();
  store.applyMessage(welcome({ polls: [poll('q1')], myAnswers: { q1: [0] } }));
  store.applyMessage({ type: 'welcome', recovered: true, epoch: 'E', seq: 1, cycle: { id: 1, startedAt: 0 }, myAnswers: { q1: [2] }, myVotes: {} });
  assert.deepEqual(store.polls.map((p) => p.id), ['q1'], 'a recovered welcome has no polls: the missed updates bring them');
  assert.deepEqual(store.myAnswer('q1'), [2]);
  // Closing the week: the update carries the new cycle and the old poll, closed.
  store.applyMessage({ type: 'update', seq: 2, cycle: { id: 2, startedAt: 5000 }, polls: [poll('q1', { state: 'closed' })] });
  assert.deepEqual(store.cyclePolls(), [], "last week's poll is not this week's");
  assert.deepEqual(store.myAnswer('q1'), []);
});

// ---- pure helpers ----

test('featuredPoll: the open one, else the newest if it closed a moment ago', () => {
  const now = 10 * 60_000 * 10;
  assert.equal(featuredPoll([], now), null);
  assert.equal(featuredPoll([poll('q2', { state: 'closed', closedAt: now - 1000 }), poll('q1')], now).id, 'q1');
  assert.equal(featuredPoll([poll('q2', { state: 'closed', closedAt: now - 1000 })], now).id, 'q2');
  assert.equal(featuredPoll([poll('q2', { state: 'closed', closedAt: now - 11 * 60_000 })], now), null, 'long closed: gone');
  assert.equal(featuredPoll([poll('q2', { state: 'closed', closedAt: null })], now).id, 'q2');
});

test('pollRows: shares of the people who answered; nextChoices; checkPoll', () => {
  const rows = pollRows(poll('q1', { voters: 3, options: votes(2, 1, 0) }), [0]);
  assert.deepEqual(rows.map((r) => [r.votes, r.percent, r.leading, r.mine]), [[2, 67, true, true], [1, 33, false, false], [0, 0, false, false]]);
  // Multiple choice: 3 people, 5 ticks — each share is of the 3.
  const multi = pollRows(poll('q1', { multi: true, voters: 3, options: votes(3, 2, 0) }));
  assert.deepEqual(multi.map((r) => r.percent), [100, 67, 0]);
  assert.deepEqual(pollRows(poll('q1')).map((r) => r.share), [0, 0, 0], 'nobody answered: no bar');
  assert.equal(votersText({ voters: 0 }), 'No answers yet');
  assert.equal(votersText({ voters: 1 }), '1 person answered');
  assert.equal(votersText({ voters: 1200 }), '1,200 people answered');

  assert.deepEqual(nextChoices(false, [0], 2, true), [2], 'single choice: the new one replaces the old');
  assert.deepEqual(nextChoices(true, [2], 0, true), [0, 2], 'multiple: added, ascending');
  assert.deepEqual(nextChoices(true, [0, 2], 2, false), [0]);

  assert.deepEqual(checkPoll('  Which day? ', ['Mon', ' ', 'Fri ']), { question: 'Which day?', options: ['Mon', 'Fri'] });
  assert.match(checkPoll('', ['a', 'b']).error, /question/);
  assert.match(checkPoll('Q', ['a', '']).error, /two options/);
  assert.match(checkPoll('Q', ['a', 'x'.repeat(101)]).error, /Option 2/);
  assert.match(checkPoll('x'.repeat(301), ['a', 'b']).error, /300/);
});

// ---- the employee page ----

test('employee page: the open poll as a card, answered with a click, changeable, read-only once closed', () => onPage(EMPLOYEE_PAGE, welcome({ polls: [poll('q1', { createdAt: Date.now() })] }), async (ws) => {
  assert.equal($('#poll').hidden, false);
  assert.equal($('#poll-question').textContent, 'Question q1?');
  assert.equal($('#poll-state').textContent, 'Poll · choose one');
  const radios = $$('#poll-options input');
  assert.deepEqual(radios.map((r) => r.getAttribute('type')), ['radio', 'radio', 'radio']);
  assert.equal($('#poll-voters').textContent, 'No answers yet');

  radios[1].click();
  const sent = ws.sentOf('answer')[0];
  assert.deepEqual({ poll: sent.poll, choices: sent.choices }, { poll: 'q1', choices: [1] });
  ws.receive({ type: 'ack', id: sent.id, poll: poll('q1', { voters: 1, options: votes(0, 1, 0) }), choices: [1] });
  ws.receive({ type: 'update', seq: 2, polls: [poll('q1', { voters: 2, options: votes(1, 1, 0) })] });
  await flush();
  const row = (i) => $$('#poll-options li')[i];
  assert.equal(row(1).querySelector('.poll-mine').hidden, false, 'the answer is marked');
  assert.equal(row(0).querySelector('.poll-mine').hidden, true);
  assert.equal(row(0).querySelector('.poll-count').textContent, '1 vote · 50%');
  assert.equal(row(1).querySelector('.poll-fill').style.width, '50%', 'bars are as wide as the share');
  assert.equal($('#poll-voters').textContent, '2 people answered');
  assert.equal($('#poll-clear').hidden, false);

  // Change the answer; a refusal is said where the poll is.
  $$('#poll-options input')[2].click();
  const change = ws.sentOf('answer')[1];
  assert.deepEqual(change.choices, [2]);
  ws.receive({ type: 'error', id: change.id, code: 'conflict', message: 'the poll is closed' });
  await flush();
  assert.match($('#poll-error').textContent, /closed/);
  assert.equal($$('#poll-options input')[1].checked, true, 'after a refusal the server’s answer shows again');

  // Closed: results, read-only.
  ws.receive({ type: 'update', seq: 3, polls: [poll('q1', { state: 'closed', closedAt: Date.now(), voters: 2, options: votes(1, 1, 0) })] });
  await flush();
  assert.equal($('#poll').dataset.state, 'closed');
  assert.equal($('#poll-state').textContent, 'Poll closed · results');
  assert.ok($$('#poll-options input').every((r) => r.disabled));
  assert.equal($('#poll-clear').hidden, true);
  $$('#poll-options input')[0].click();
  assert.equal(ws.sentOf('answer').length, 2, 'a closed poll sends nothing');
}));

test('employee page: a multiple-choice poll has checkboxes and sends the whole set', () => onPage(EMPLOYEE_PAGE, welcome({ polls: [poll('q2', { multi: true })], myAnswers: { q2: [0] } }), async (ws) => {
  const boxes = $$('#poll-options input');
  assert.deepEqual(boxes.map((b) => b.getAttribute('type')), ['checkbox', 'checkbox', 'checkbox']);
  assert.equal(boxes[0].checked, true, 'the answer from the welcome');
  boxes[2].click();
  assert.deepEqual(ws.sentOf('answer')[0].choices, [0, 2]);
  ws.receive({ type: 'ack', id: ws.sentOf('answer')[0].id, poll: poll('q2', { multi: true }), choices: [0, 2] });
  await flush();
  $('#poll-clear').click();
  assert.deepEqual(ws.sentOf('answer')[1].choices, [], 'taking the answer back');
}));

// ---- the host console ----

test('host console: open a poll with options added and removed, see its counts, close it', () => onPage(HOST_PAGE, welcome({ user: { id: 'h', name: 'Hal', office: 'HQ', role: 'host' } }), async (ws) => {
  assert.equal($('#poll-panel').hidden, false);
  assert.equal($('#poll-current').hidden, true);
  assert.equal($$('#poll-option-list input').length, 2);
  assert.ok($$('#poll-option-list button').every((b) => b.hidden), 'two options cannot lose one');

  input($('#poll-question-input'), 'Which day for the offsite?');
  input($$('#poll-option-list input')[0], 'Monday');
  $('#poll-open').click();
  assert.match($('#poll-error').textContent, /two options/);
  assert.equal(ws.sentOf('poll').length, 0);

  $('#poll-add-option').click();
  $('#poll-add-option').click();
  assert.equal($$('#poll-option-list input').length, 4);
  assert.equal($$('#poll-option-list input')[3].getAttribute('aria-label'), 'Option 4');
  input($$('#poll-option-list input')[1], 'Tuesday');
  input($$('#poll-option-list input')[2], 'Wednesday');
  $$('#poll-option-list button')[1].click(); // remove "Tuesday"
  assert.deepEqual($$('#poll-option-list input').map((i) => i.value), ['Monday', 'Wednesday', '']);
  for (let i = 0; i < 10; i += 1) $('#poll-add-option').click();
  assert.equal($$('#poll-option-list input').length, 10, 'at most ten');
  $('#poll-multi').click();
  $('#poll-open').click();
  const open = ws.sentOf('poll')[0];
  assert.deepEqual({ ...open, id: undefined }, {
    type: 'poll', action: 'open', question: 'Which day for the offsite?', options: ['Monday', 'Wednesday'], multi: true, id: undefined,
  });
  ws.receive({ type: 'ack', id: open.id, poll: poll('q1', { multi: true, options: votes(0, 0).slice(0, 2) }) });
  await flush();
  assert.equal($('#poll-question-input').value, '', 'the form is ready for the next poll');
  assert.equal($$('#poll-option-list input').length, 2);
  assert.equal($('#poll-current').hidden, false);
  ws.receive({ type: 'update', seq: 2, polls: [poll('q1', { voters: 4, options: votes(3, 1, 0) })] });
  await flush();
  assert.deepEqual($$('#poll-results .poll-count').map((n) => n.textContent), ['3 votes · 75%', '1 vote · 25%', '0 votes · 0%']);
  assert.equal($$('#poll-results .poll-fill')[0].style.width, '75%');

  $('#poll-close').click();
  const close = ws.sentOf('poll')[1];
  assert.deepEqual({ action: close.action, poll: close.poll }, { action: 'close', poll: 'q1' });
  ws.receive({ type: 'ack', id: close.id, poll: poll('q1', { state: 'closed', closedAt: Date.now(), voters: 4, options: votes(3, 1, 0) }) });
  await flush();
  assert.equal($('#poll-close').hidden, true);
  assert.equal($('#poll-state').textContent, 'Poll closed · results');
}));

test('host console: a refused poll is said beside the form', () => onPage(HOST_PAGE, welcome({ user: { id: 'h', name: 'Hal', office: 'HQ', role: 'host' } }), async (ws) => {
  input($('#poll-question-input'), 'Lunch?');
  input($$('#poll-option-list input')[0], 'Yes');
  input($$('#poll-option-list input')[1], 'No');
  $('#poll-open').click();
  ws.receive({ type: 'error', id: ws.sentOf('poll')[0].id, code: 'forbidden', message: 'host only' });
  await flush();
  assert.equal($('#poll-error').textContent, 'Only the host can open or close polls.');
  assert.equal($('#poll-question-input').value, 'Lunch?', 'the text is kept');
}));

// ---- the room screen ----

test('room screen: the poll as bars whose widths follow the counts', () => onPage(SCREEN_PAGE, welcome(), async (ws) => {
  assert.equal($('#poll').hidden, true);
  assert.equal($('#screen').dataset.poll, 'false');
  ws.receive({ type: 'update', seq: 2, polls: [poll('q1', { voters: 2, options: votes(0, 2, 0) })] });
  await flush();
  assert.equal($('#poll').hidden, false);
  assert.equal($('#screen').dataset.poll, 'true');
  assert.deepEqual($$('#poll-results .poll-fill').map((n) => n.style.width), ['0%', '100%', '0%']);
  ws.receive({ type: 'update', seq: 3, polls: [poll('q1', { voters: 2, options: votes(0, 1, 1) })] });
  await flush();
  assert.deepEqual($$('#poll-results .poll-fill').map((n) => n.style.width), ['0%', '50%', '50%']);
  assert.equal($$('#poll-results .poll-count')[1].textContent, '1 vote · 50%');
  assert.equal($('#poll-voters').textContent, '2 people answered');
}));
