// The poll card of the employee page: the open poll (or the one that just closed) with a
// radio or checkbox per option, the user's answer marked and changeable until it closes,
// and everyone's counts as they come in. A closed poll shows its results, read-only.

import { errorText } from './format.js';
import { featuredPoll, fillPollHead, nextChoices, renderPollChoices } from './polls.js';
import { setError, setText, show } from './render.js';

const $ = (id) => document.getElementById(id);

/** Wires the card (#poll) to the store and the connection; returns its render function. */
export function bindPollCard({ store, conn, schedule }) {
  /** The answer on its way: {poll, choices}; shown instead of the server's until its reply. */
  let pending = null;
  let shownPoll = null;

  const chosenFor = (poll) => (pending && pending.poll === String(poll.id) ? pending.choices : store.myAnswer(poll.id));

  function answer(poll, choices) {
    const sending = { poll: String(poll.id), choices };
    pending = sending;
    setError($('poll-error'), '');
    setText($('poll-note'), conn.ready ? '' : 'Waiting for the connection — your answer goes when it is back.');
    schedule(['poll']);
    // An answer sets the user's choices (§9): sending it again after a reconnect is harmless.
    conn.request({ type: 'answer', poll: poll.id, choices }, { retry: true })
      .then(() => {
        if (pending !== sending) return;
        setText($('poll-note'), choices.length
          ? 'Your answer is in. You can change it until the poll closes.'
          : 'Your answer was taken back.');
      })
      .catch((error) => {
        if (pending === sending) setError($('poll-error'), errorText(error, 'poll-answer'));
      })
      .finally(() => {
        if (pending === sending) pending = null;
        schedule(['poll']);
      });
  }

  function pick(index, checked) {
    const poll = shownPoll;
    if (!poll || poll.state !== 'open') return;
    answer(poll, nextChoices(!!poll.multi, chosenFor(poll), index, checked));
  }

  $('poll-clear').addEventListener('click', () => {
    if (shownPoll && shownPoll.state === 'open') answer(shownPoll, []);
  });

  return function render() {
    const poll = featuredPoll(store.cyclePolls());
    const section = $('poll');
    show(section, !!poll);
    if (!poll) {
      shownPoll = null;
      return;
    }
    if (!shownPoll || String(shownPoll.id) !== String(poll.id)) {
      // Another poll: what was said about the last one does not apply.
      setText($('poll-note'), '');
      setError($('poll-error'), '');
    }
    shownPoll = poll;
    const open = poll.state === 'open';
    fillPollHead(section, poll);
    const chosen = chosenFor(poll);
    renderPollChoices($('poll-options'), poll, { chosen, disabled: !open, onPick: pick });
    show($('poll-clear'), open && chosen.length > 0);
    if (!open) setText($('poll-note'), chosen.length ? 'The poll has closed. Your answer is marked.' : 'The poll has closed.');
  };
}
