// "Already asked?" (PROTOCOL.md §9 similar): the debounced asker (only the latest text's
// answer counts, stale ones and errors show nothing), the suggestions as the store knows
// them, and the employee page's list with its one-click vote.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';

import { SIMILAR_DELAY_MS, freshSuggestions, similarAsker, similarityText } from '../../Web/js/similar.js';
import { $, $$, EMPLOYEE_PAGE, flush, input, onPage } from './testing/harness.mjs';

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** An asker whose `ask` hands back promises the test resolves itself. */
function harness() {
  const asked = [];
  const results = [];
  const asker = similarAsker({
    ask: (text) => new Promise((resolve, reject) => asked.push({ text, resolve, reject })),
    onResult: (posts) => results.push(posts),
  });
  return { asker, asked, results };
}

test('similarAsker: waits for a pause in typing and asks once, with the latest text', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { asker, asked } = harness();
    asker.input('Short one');
    mock.timers.tick(1000);
    await settle();
    assert.equal(asked.length, 0, 'under 12 characters: nothing is asked');
    for (const text of ['When do we', 'When do we return', 'When do we return to the office?']) {
      asker.input(text);
      mock.timers.tick(SIMILAR_DELAY_MS - 50);
    }
    await settle();
    assert.equal(asked.length, 0, 'still typing');
    mock.timers.tick(50);
    await settle();
    assert.deepEqual(asked.map((a) => a.text), ['When do we return to the office?']);
    asker.input('When do we return to the office?  ');
    mock.timers.tick(SIMILAR_DELAY_MS);
    await settle();
    assert.equal(asked.length, 1, 'the same text (trimmed) is not asked again');
  } finally {
    mock.timers.reset();
  }
});

test('similarAsker: a stale reply is dropped, errors and short text show nothing', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { asker, asked, results } = harness();
    asker.input('Parking for bicycles?');
    mock.timers.tick(SIMILAR_DELAY_MS);
    await settle();
    asker.input('Parking for bicycles at the Dublin office?');
    mock.timers.tick(SIMILAR_DELAY_MS);
    await settle();
    assert.equal(asked.length, 2);
    // The second reply comes first; the first one, late, must not overwrite it.
    asked[1].resolve({ posts: [{ id: 'p2', similarity: 0.9 }] });
    await settle();
    asked[0].resolve({ posts: [{ id: 'p1', similarity: 0.5 }] });
    await settle();
    assert.deepEqual(results.at(-1).map((p) => p.id), ['p2']);
    assert.equal(results.length, 1, 'the stale reply reported nothing');

    // Cleared below the threshold: the list goes, and the reply on its way is dropped.
    asker.input('Parking for bikes, please');
    mock.timers.tick(SIMILAR_DELAY_MS);
    await settle();
    asker.input('Park');
    assert.deepEqual(results.at(-1), []);
    asked[2].resolve({ posts: [{ id: 'p3', similarity: 0.7 }] });
    await settle();
    assert.deepEqual(results.at(-1), [], 'a reply after the clear is dropped');

    // unavailable (the server has no index) or rate_limited: nothing to show, quietly.
    asker.input('Will the canteen open on Saturdays?');
    mock.timers.tick(SIMILAR_DELAY_MS);
    await settle();
    asked[3].reject({ code: 'unavailable', message: 'similar is not available' });
    await settle();
    assert.deepEqual(results.at(-1), []);

    // Posted: clear() cancels a pending ask.
    asker.input('Something else entirely, asked now');
    asker.clear();
    mock.timers.tick(SIMILAR_DELAY_MS);
    await settle();
    assert.equal(asked.length, 4);
  } finally {
    mock.timers.reset();
  }
});

test('freshSuggestions: the latest counts, a merged post replaced by its target, no repeats', () => {
  const known = new Map([
    ['p1', { id: 'p1', text: 'RTO date?', up: 9, status: 'open' }],
    ['p2', { id: 'p2', text: 'Return to office when?', up: 0, status: 'merged', mergedInto: 'p1' }],
  ]);
  const follow = (id) => (known.get(id)?.status === 'merged' ? known.get(id).mergedInto : id);
  const out = freshSuggestions(
    [{ id: 'p2', similarity: 0.9 }, { id: 'p1', text: 'RTO date?', up: 3, similarity: 0.8 }, { id: 'p5', text: 'Unknown', up: 1, similarity: 0.4 }],
    { lookup: (id) => known.get(id), follow },
  );
  assert.deepEqual(out.map((p) => [p.id, p.up, p.similarity]), [['p1', 9, 0.9], ['p5', 1, 0.4]]);
  assert.deepEqual(freshSuggestions([{ id: 'p1', similarity: 1 }], { lookup: (id) => known.get(id), exclude: 'p1' }), []);
  assert.equal(similarityText(0.873), '87% alike');
});

function welcome(extra = {}) {
  return {
    type: 'welcome', user: { id: 'u1', name: 'Ann', office: 'Dublin', role: 'employee' }, epoch: 'E', seq: 1,
    cycle: { id: 1, startedAt: 0 }, townhall: { state: 'ended', title: null, stream: null, onAir: null },
    posts: [{ id: 'p1', cycle: 1, text: 'When do we return to the office full time?', author: null, office: 'Dublin', createdAt: 1, up: 4, down: 0, score: 4, comments: 0, status: 'open' }],
    ranks: { top: ['p1'], hot: ['p1'], best: ['p1'], new: ['p1'] }, myVotes: {}, comments: [], announcements: [],
    presence: { total: 1, offices: {} }, recovered: false, polls: [], myAnswers: {},
    ...extra,
  };
}

test('employee page: typing shows "Already asked?", a 👍 votes without posting, clearing hides it', () => onPage(EMPLOYEE_PAGE, welcome(), async (ws) => {
  assert.equal($('#similar').hidden, true);
  input($('#post-text'), 'What is the date for return to office?');
  await flush();
  const ask = ws.sentOf('similar');
  assert.equal(ask.length, 1);
  assert.equal(ask[0].text, 'What is the date for return to office?');
  assert.ok(ask[0].id != null, 'with an id: the ack carries the posts');
  ws.receive({ type: 'ack', id: ask[0].id, posts: [{ ...welcome().posts[0], similarity: 0.62 }] });
  await flush();
  assert.equal($('#similar').hidden, false);
  const item = $('#similar-list [data-post-id="p1"]');
  assert.equal(item.querySelector('.similar-text').textContent, 'When do we return to the office full time?');
  assert.equal(item.querySelector('.similar-score').textContent, '62% alike');
  assert.equal(item.querySelector('.similar-vote').getAttribute('aria-pressed'), 'false');

  item.querySelector('.similar-vote').click();
  const v = ws.sentOf('vote')[0];
  assert.deepEqual({ post: v.post, value: v.value }, { post: 'p1', value: 1 });
  ws.receive({ type: 'ack', id: v.id, post: { ...welcome().posts[0], up: 5, score: 5 }, value: 1 });
  await flush();
  assert.equal(ws.sentOf('post').length, 0, 'voting from a suggestion posts nothing');
  assert.equal($('#similar-list [data-post-id="p1"] .similar-vote').getAttribute('aria-pressed'), 'true');
  assert.equal($('#similar-list [data-post-id="p1"] .similar-up').textContent, '5 up');
  assert.equal($('#post-text').value, 'What is the date for return to office?', 'the text stays');

  input($('#post-text'), '');
  await flush();
  assert.equal($('#similar').hidden, true, 'cleared text, no list');
}));

test('employee page: similar answered with unavailable shows nothing and no error; posting hides the list', () => onPage(EMPLOYEE_PAGE, welcome(), async (ws) => {
  input($('#post-text'), 'Return to office date, please?');
  await flush();
  ws.receive({ type: 'error', id: ws.sentOf('similar')[0].id, code: 'unavailable', message: 'not yet' });
  await flush();
  assert.equal($('#similar').hidden, true);
  assert.equal($('#page-error').textContent, '');
  assert.equal($('#post-error').textContent, '');

  input($('#post-text'), 'Return to office date, please? Any news?');
  await flush();
  const ask = ws.sentOf('similar')[1];
  ws.receive({ type: 'ack', id: ask.id, posts: [{ ...welcome().posts[0], similarity: 0.5 }] });
  await flush();
  assert.equal($('#similar').hidden, false);
  $('#post-submit').click();
  const sent = ws.sentOf('post')[0];
  ws.receive({ type: 'ack', id: sent.id, post: { ...welcome().posts[0], id: 'p2', text: sent.text } });
  await flush();
  assert.equal($('#similar').hidden, true, 'posted: the suggestions go');
  assert.equal($$('#similar-list li').length, 0);
}));
