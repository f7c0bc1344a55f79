// "Already asked?" (PROTOCOL.md §9 `similar`): while someone types a question, the posts
// that look like it, so they can vote for one instead of asking again. Asking is debounced
// and only the answer to the latest text counts; an error just means no suggestions.

import { charCount, formatNumber } from './format.js';
import { el, reconcile, setAttr, setText } from './render.js';

/** Shorter text says too little to compare. */
export const SIMILAR_MIN_LENGTH = 12;
/** Typing pauses this long before the server is asked. */
export const SIMILAR_DELAY_MS = 300;

/**
 * A debounced asker. `ask(text)` returns a promise of the ack; `onResult(posts)` gets the
 * latest text's suggestions ([] for short text, a clear, an error, or a stale reply's turn).
 * Returns {input(text), clear()}.
 */
export function similarAsker({
  ask, onResult, delay = SIMILAR_DELAY_MS, minLength = SIMILAR_MIN_LENGTH, timers = globalThis,
}) {
  let timer = null;
  /** Rises with every new text: a reply to an older one is dropped. */
  let generation = 0;
  let asked = null;

  const cancel = () => {
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
  };

  function clear() {
    cancel();
    generation += 1;
    asked = null;
    onResult([]);
  }

  function input(raw) {
    const text = String(raw ?? '').trim();
    if (charCount(text) < minLength) {
      if (asked !== null || timer !== null) clear();
      return;
    }
    if (text === asked && timer === null) return; // the same question as last time
    cancel();
    timer = timers.setTimeout(() => {
      timer = null;
      generation += 1;
      const mine = generation;
      asked = text;
      Promise.resolve()
        .then(() => ask(text))
        .then(
          (ack) => { if (mine === generation) onResult(Array.isArray(ack && ack.posts) ? ack.posts : []); },
          () => { if (mine === generation) onResult([]); },
        );
    }, delay);
  }

  return { input, clear };
}

/**
 * The suggestions as the page knows them now: each post in its latest known form (counts
 * move while the list is up), a merged one replaced by where it went, without `exclude`
 * and without repeats. `lookup(id)` gives the store's post, `follow(id)` a merge's target.
 */
export function freshSuggestions(posts, { lookup = () => undefined, follow = (id) => id, exclude = null } = {}) {
  const out = [];
  const seen = new Set();
  for (const suggestion of posts ?? []) {
    if (!suggestion || suggestion.id == null) continue;
    const id = String(follow(String(suggestion.id)) ?? suggestion.id);
    const known = lookup(id) ?? (id === String(suggestion.id) ? suggestion : null);
    if (!known || known.status === 'merged' || seen.has(id) || (exclude != null && id === String(exclude))) continue;
    seen.add(id);
    out.push({ ...known, similarity: Number(suggestion.similarity) || 0 });
  }
  return out;
}

/** 0.873 → "87% alike". */
export function similarityText(similarity) {
  const n = Math.round(Math.max(0, Math.min(1, Number(similarity) || 0)) * 100);
  return `${formatNumber(n)}% alike`;
}

/**
 * Fills the "Already asked?" list: each post's text, how alike it is, its votes and a 👍
 * that votes it up (pressed when the user's vote is already up). `onVote(id)` on a click.
 */
export function renderSuggestions(list, posts, { myVote, onVote, sending = () => false }) {
  reconcile(list, posts, {
    key: (p) => p.id,
    create: (p) => {
      const button = el('button', {
        class: 'button small similar-vote', attrs: { type: 'button', 'aria-pressed': 'false' },
      }, el('span', { attrs: { 'aria-hidden': 'true' }, text: '\u{1F44D} ' }), el('span', { class: 'similar-vote-label' }));
      button.addEventListener('click', () => onVote(String(p.id)));
      return el('li', { class: 'similar-post', dataset: { postId: p.id } },
        el('p', { class: 'similar-text' }),
        el('p', { class: 'similar-meta' },
          el('span', { class: 'similar-score' }), ' · ',
          el('span', { class: 'similar-up' })),
        button);
    },
    update: (node, p) => {
      setText(node.querySelector('.similar-text'), p.text);
      setText(node.querySelector('.similar-score'), similarityText(p.similarity));
      node.querySelector('.similar-score').dataset.similarity = String(p.similarity);
      setText(node.querySelector('.similar-up'), `${formatNumber(p.up ?? 0)} up`);
      const voted = myVote(String(p.id)) === 1;
      const button = node.querySelector('.similar-vote');
      setAttr(button, 'aria-pressed', voted ? 'true' : 'false');
      setAttr(button, 'aria-label', voted ? `Voted up: ${p.text}` : `Vote up instead: ${p.text}`);
      setText(button.querySelector('.similar-vote-label'), voted ? 'Voted' : 'Vote up');
      button.classList.toggle('is-sending', sending(String(p.id)));
    },
  });
}
