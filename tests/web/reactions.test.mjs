// Live reactions on the employee page and the room screen (PROTOCOL.md §9), under the
// fake DOM: the bar sends `react` and expects no reply; each update's counts float up,
// at most BURST_CAP per emoji however big the storm.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';

import { $, EMPLOYEE_PAGE, FakeSocket, flush, loadPage, onPage } from './testing/harness.mjs';
import { BURST_CAP } from '../../Web/js/reactions.js';

function welcome() {
  return {
    type: 'welcome', user: { id: 'u1', name: 'Ann', office: 'Dublin', role: 'employee' }, epoch: 'E', seq: 1,
    cycle: { id: 1, startedAt: Date.now() - 1000 },
    townhall: { state: 'live', title: 'All hands', stream: null, onAir: null },
    posts: [], ranks: { top: [], hot: [], best: [], new: [] }, myVotes: {}, comments: [], announcements: [],
    presence: { total: 1, offices: { Dublin: 1 } }, recovered: false,
  };
}

for (const [page, file, module] of [['/', 'index.html', 'employee.js'], ['/screen', 'screen.html', 'screen.js']]) {
  test(`${module}: reactions in an update float up, capped per emoji`, async () => {
    mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    try {
      await loadPage(page, file, '#token=JWT1', module);
      const ws = FakeSocket.all[0];
      ws.open();
      ws.receive(welcome());
      await flush();
      ws.receive({ type: 'update', seq: 2, reactions: { '\u{1F44F}': 3, '\u{1F602}': 500 } });
      await new Promise((resolve) => setImmediate(resolve));
      const floats = $('#reaction-layer').querySelectorAll('.reaction-float');
      assert.equal(floats.length, 3 + BURST_CAP);
      assert.equal(floats.filter((n) => n.textContent === '\u{1F602}').length, BURST_CAP);
      mock.timers.tick(3100);
      assert.equal($('#reaction-layer').querySelectorAll('.reaction-float').length, 0, 'each float removes itself');
    } finally {
      mock.timers.reset();
    }
  });
}

test('employee page: a reaction button sends react, and nothing waits for a reply', () => onPage(EMPLOYEE_PAGE, welcome(), async (ws) => {
  const buttons = $('#reaction-bar').querySelectorAll('button');
  assert.equal(buttons.length, 6);
  buttons[1].click();
  assert.deepEqual(ws.sent.at(-1), { type: 'react', emoji: '\u{1F44F}' });
  assert.equal('id' in ws.sent.at(-1), false, 'no id: react gets no ack');
  mock.timers.tick(31_000);
  await flush();
  assert.equal($('#page-error').textContent, '', 'no timeout error for a reaction');
}));
