// The host console's Poll panel: open a poll (a question, 2–10 options, single or multiple
// choice), watch its counts live, close it. Moderators see the results, not the controls.

import { errorText, formatNumber } from './format.js';
import { POLL_LIMITS, checkPoll, featuredPoll, fillPollHead, renderPollResults } from './polls.js';
import { el, isUnavailable, setAttr, setBusy, setError, setText, show } from './render.js';

const $ = (id) => document.getElementById(id);

/** Wires #poll-panel; returns its render function. */
export function bindPollPanel({ store, conn, schedule }) {
  const list = $('poll-option-list');
  let shownPoll = null;

  function optionRows() {
    return [...list.children];
  }

  /** Numbers the option inputs (their labels say which is which) and shows what can be done. */
  function renumber() {
    const rows = optionRows();
    rows.forEach((row, i) => {
      setAttr(row.querySelector('input'), 'aria-label', `Option ${i + 1}`);
      setAttr(row.querySelector('input'), 'placeholder', `Option ${i + 1}`);
      const remove = row.querySelector('button');
      setAttr(remove, 'aria-label', `Remove option ${i + 1}`);
      remove.hidden = rows.length <= POLL_LIMITS.minOptions;
    });
    const full = rows.length >= POLL_LIMITS.maxOptions;
    setAttr($('poll-add-option'), 'aria-disabled', full ? 'true' : null);
    setText($('poll-options-note'), full ? `At most ${formatNumber(POLL_LIMITS.maxOptions)} options.` : '');
  }

  function addOption(focus = false) {
    if (optionRows().length >= POLL_LIMITS.maxOptions) return;
    const input = el('input', {
      class: 'poll-option-input', attrs: { type: 'text', maxlength: POLL_LIMITS.option, autocomplete: 'off' },
    });
    const remove = el('button', { class: 'button small poll-option-remove', attrs: { type: 'button' }, text: 'Remove' });
    const row = el('li', { class: 'poll-option-row' }, input, remove);
    remove.addEventListener('click', () => {
      const rows = optionRows();
      if (rows.length <= POLL_LIMITS.minOptions) return;
      // Focus goes to the option that takes this one's place, not to the start of the page.
      const next = rows[rows.indexOf(row) + 1] ?? rows[rows.indexOf(row) - 1];
      row.remove();
      renumber();
      next?.querySelector('input').focus();
    });
    list.append(row);
    renumber();
    if (focus) input.focus();
  }

  function resetForm() {
    $('poll-question-input').value = '';
    $('poll-multi').checked = false;
    list.replaceChildren();
    for (let i = 0; i < POLL_LIMITS.minOptions; i += 1) addOption();
  }
  resetForm();

  $('poll-add-option').addEventListener('click', () => {
    if (!isUnavailable($('poll-add-option'))) addOption(true);
  });

  $('poll-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const button = $('poll-open');
    if (isUnavailable(button)) return;
    const checked = checkPoll($('poll-question-input').value, optionRows().map((row) => row.querySelector('input').value));
    setText($('poll-note'), '');
    if (checked.error) {
      setError($('poll-error'), checked.error);
      return;
    }
    setError($('poll-error'), '');
    setBusy(button, true);
    // Not resent after a reconnect: opening twice would make two polls.
    conn.request({ type: 'poll', action: 'open', question: checked.question, options: checked.options, multi: $('poll-multi').checked })
      .then(() => {
        resetForm();
        setText($('poll-note'), 'The poll is open: everyone sees it now.');
        schedule(['polls']);
      })
      .catch((error) => setError($('poll-error'), errorText(error, 'poll')))
      .finally(() => setBusy(button, false));
  });

  $('poll-close').addEventListener('click', () => {
    const button = $('poll-close');
    const poll = shownPoll;
    if (isUnavailable(button) || !poll || poll.state !== 'open') return;
    setError($('poll-close-error'), '');
    setBusy(button, true);
    // Closing a closed poll changes nothing (§9): safe to resend.
    conn.request({ type: 'poll', action: 'close', poll: poll.id }, { retry: true })
      .then(() => setText($('poll-close-note'), 'The poll is closed. Its results stay up for a while.'))
      .catch((error) => setError($('poll-close-error'), errorText(error, 'poll')))
      .finally(() => {
        setBusy(button, false);
        schedule(['polls']);
      });
  });

  return function render() {
    const poll = featuredPoll(store.cyclePolls());
    // Moderators cannot open polls: the panel shows only while there are results to see.
    show($('poll-panel'), store.isHost || !!poll);
    show($('poll-current'), !!poll);
    if (poll && (!shownPoll || String(shownPoll.id) !== String(poll.id))) {
      setText($('poll-close-note'), '');
      setError($('poll-close-error'), '');
    }
    shownPoll = poll;
    // At most one poll is open (§9): opening another closes this one.
    show($('poll-replaces'), !!poll && poll.state === 'open');
    if (!poll) return;
    fillPollHead($('poll-current'), poll);
    renderPollResults($('poll-results'), poll, store.myAnswer(poll.id));
    show($('poll-close'), poll.state === 'open');
  };
}
