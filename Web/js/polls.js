// Polls (PROTOCOL.md §9): which poll a page shows, its counts as shares of the people who
// answered, what a click makes of the user's choices, and the result bars the three pages
// share. The helpers are pure; the renderers touch the DOM only when called.

import { formatNumber, idPart, plural } from './format.js';
import { el, reconcile, setAttr, setText } from './render.js';

/** What the server accepts (§9): a question of 1–300, 2–10 options of 1–100 characters. */
export const POLL_LIMITS = Object.freeze({ question: 300, option: 100, minOptions: 2, maxOptions: 10 });

/** How long a closed poll stays up after closing, so the room can read its results. */
export const RESULTS_SHOWN_MS = 10 * 60_000;

/**
 * The poll a page shows: the open one, else the newest if it closed within `shownFor`
 * (a poll without `closedAt` counts as just closed); null when there is none.
 * `polls` is newest first, as the store keeps them.
 */
export function featuredPoll(polls, now = Date.now(), shownFor = RESULTS_SHOWN_MS) {
  const list = Array.isArray(polls) ? polls : [];
  const open = list.find((p) => p && p.state === 'open');
  if (open) return open;
  const latest = list[0];
  if (!latest) return null;
  const closedAt = Number(latest.closedAt);
  if (latest.closedAt == null || !Number.isFinite(closedAt)) return latest;
  return now - closedAt <= shownFor ? latest : null;
}

/**
 * One row per option: {index, text, votes, share, percent, leading, mine}. The share is of
 * the people who answered (`voters`), so on a multiple-choice poll the shares may add up to
 * more than 100% — each says how many of those who answered picked that option.
 */
export function pollRows(poll, mine = []) {
  const options = Array.isArray(poll && poll.options) ? poll.options : [];
  const voters = Math.max(0, Number(poll && poll.voters) || 0);
  const counts = options.map((o) => Math.max(0, Number(o && o.votes) || 0));
  const most = Math.max(0, ...counts);
  const chosen = new Set(mine ?? []);
  return options.map((o, index) => {
    const votes = counts[index];
    const share = voters > 0 ? Math.min(1, votes / voters) : 0;
    return {
      index,
      text: String((o && o.text) ?? ''),
      votes,
      share,
      percent: Math.round(share * 100),
      leading: votes > 0 && votes === most,
      mine: chosen.has(index),
    };
  });
}

/** The choices after the user ticked (or unticked) option `index`, ascending like the server's. */
export function nextChoices(multi, current, index, checked) {
  if (!multi) return checked ? [index] : [];
  const set = new Set(current ?? []);
  if (checked) set.add(index);
  else set.delete(index);
  return [...set].sort((a, b) => a - b);
}

/** "Poll · choose one", "Poll · choose any", "Poll closed · results". */
export function pollStateText(poll) {
  if (!poll) return '';
  if (poll.state !== 'open') return 'Poll closed · results';
  return poll.multi ? 'Poll · choose any' : 'Poll · choose one';
}

/** "No answers yet", "1 person answered", "12 people answered". */
export function votersText(poll) {
  const n = Math.max(0, Number(poll && poll.voters) || 0);
  if (n === 0) return 'No answers yet';
  return `${plural(n, 'person', 'people')} answered`;
}

/** "2 votes · 67%". */
export function countText(row) {
  return `${plural(row.votes, 'vote')} · ${formatNumber(row.percent)}%`;
}

/**
 * Checks a poll the host is about to open; returns {question, options} (blank options
 * dropped) or {error}.
 */
export function checkPoll(question, options) {
  const q = String(question ?? '').trim();
  const filled = (options ?? []).map((o) => String(o ?? '').trim()).filter((o) => o !== '');
  const length = (t) => [...t].length;
  if (!q) return { error: 'Write the question first.' };
  if (length(q) > POLL_LIMITS.question) return { error: `The question can be at most ${POLL_LIMITS.question} characters — shorten it.` };
  if (filled.length < POLL_LIMITS.minOptions) return { error: 'A poll needs at least two options.' };
  if (filled.length > POLL_LIMITS.maxOptions) return { error: `A poll can have at most ${POLL_LIMITS.maxOptions} options.` };
  const long = filled.findIndex((o) => length(o) > POLL_LIMITS.option);
  if (long >= 0) return { error: `Option ${long + 1} can be at most ${POLL_LIMITS.option} characters — shorten it.` };
  return { question: q, options: filled };
}

// ---- DOM ----

function pollBar() {
  return el('span', { class: 'poll-bar', attrs: { 'aria-hidden': 'true' } }, el('span', { class: 'poll-fill' }));
}

/** Fills one row's text, count, "your answer" mark and bar. */
function updateRow(node, row) {
  node.dataset.votes = String(row.votes);
  node.classList.toggle('is-leading', row.leading);
  node.classList.toggle('is-mine', row.mine);
  setText(node.querySelector('.poll-option-text'), row.text);
  setText(node.querySelector('.poll-count'), countText(row));
  node.querySelector('.poll-mine').hidden = !row.mine;
  // CSSOM, not a style="" attribute: the pages' CSP (style-src 'self') blocks the one, not the other.
  const fill = node.querySelector('.poll-fill');
  const width = `${Math.round(row.share * 1000) / 10}%`;
  if (fill.style.width !== width) fill.style.width = width;
}

/**
 * What every page shows of a poll the same way: the section's poll id and state, and the
 * state line, question and voters (#poll-state, #poll-question, #poll-voters).
 */
export function fillPollHead(section, poll) {
  section.dataset.pollId = String(poll.id);
  section.dataset.state = poll.state === 'open' ? 'open' : 'closed';
  setText(document.getElementById('poll-state'), pollStateText(poll));
  setText(document.getElementById('poll-question'), poll.question);
  setText(document.getElementById('poll-voters'), votersText(poll));
}

/** Result bars (host console, room screen): option, count and a bar as wide as its share. */
export function renderPollResults(list, poll, mine = []) {
  reconcile(list, pollRows(poll, mine), {
    key: (r) => `${poll.id}:${r.index}`,
    create: () => el('li', { class: 'poll-result' },
      el('p', { class: 'poll-result-head' },
        el('span', { class: 'poll-option-text' }), ' ',
        el('span', { class: 'poll-mine', text: 'your answer', attrs: { hidden: true } }), ' ',
        el('span', { class: 'poll-count' })),
      pollBar()),
    update: updateRow,
  });
}

/**
 * The employee's options: a radio (single choice) or a checkbox (multiple) per option, with
 * its live count and bar. `onPick(index, checked)` is called when the user changes one.
 */
export function renderPollChoices(list, poll, { chosen, disabled, onPick }) {
  const multi = !!poll.multi;
  const name = `poll-${idPart(poll.id)}`;
  setAttr(list, 'role', multi ? 'group' : 'radiogroup');
  reconcile(list, pollRows(poll, chosen), {
    // A poll that changes kind gets new inputs (a radio cannot become a checkbox).
    key: (r) => `${poll.id}:${multi ? 'any' : 'one'}:${r.index}`,
    create: (r) => {
      const id = `${name}-${r.index}`;
      const box = el('input', { class: 'poll-input', attrs: { type: multi ? 'checkbox' : 'radio', name, value: r.index, id } });
      box.addEventListener('change', () => onPick(r.index, box.checked));
      return el('li', { class: 'poll-result poll-choice', dataset: { index: r.index } },
        el('label', { class: 'poll-result-head poll-choice-label', attrs: { for: id } },
          box, ' ',
          el('span', { class: 'poll-option-text' }), ' ',
          el('span', { class: 'poll-mine', text: 'your answer', attrs: { hidden: true } }), ' ',
          el('span', { class: 'poll-count' })),
        pollBar());
    },
    update: (node, r) => {
      updateRow(node, r);
      const box = node.querySelector('input');
      if (box.checked !== r.mine) box.checked = r.mine;
      box.disabled = !!disabled;
    },
  });
}
