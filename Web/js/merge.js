// Merging a duplicate question into the one it repeats (PROTOCOL.md §9 `merge`), from the
// host console: suggestions from `similar` (asked with the post's own text, leaving the
// post itself out) or a question number typed in. Plus the words for the author's notice.

import { errorText, idPart } from './format.js';
import { freshSuggestions, similarityText } from './similar.js';
import { el, isUnavailable, reconcile, setBusy, setError, setText } from './render.js';

/** "p12", "#p12", "P12", "12" or "#12" → "p12"; null when it is no post number. */
export function parsePostId(text) {
  const m = /^#?\s*p?(\d+)$/i.exec(String(text ?? '').trim());
  return m ? `p${Number(m[1])}` : null;
}

/** What the author of a merged question is told (`merged {post, into}`). */
export function mergeNoticeText(notice) {
  if (!notice) return '';
  return notice.into ? 'Your question was merged into:' : 'Your question is back on its own.';
}

/** At most this many characters of the target's text in "merged into #p1 “…”". */
const TARGET_PREVIEW = 80;

/** "merged into #p1 “When do we return…”" for a merged row of the console. */
export function mergedIntoText(post, target) {
  if (!post || post.status !== 'merged') return '';
  const id = post.mergedInto ?? '?';
  if (!target || !target.text) return `merged into #${id}`;
  const chars = [...target.text];
  const text = chars.length > TARGET_PREVIEW ? `${chars.slice(0, TARGET_PREVIEW - 1).join('')}…` : target.text;
  return `merged into #${id} “${text}”`;
}

/**
 * The inline "Merge…" form of one console row. `onMerged(targetId)` after the server acked.
 * Returns {form, open(), close()}; open() asks for suggestions afresh.
 */
export function mergeForm({ id, store, conn, onMerged }) {
  const domId = idPart(id);
  const name = `merge-target-${domId}`;
  const input = el('input', {
    class: 'merge-target',
    attrs: { type: 'text', id: `merge-target-${domId}`, autocomplete: 'off', placeholder: 'e.g. p12', 'aria-describedby': `merge-error-${domId}` },
  });
  const loading = el('p', { class: 'note merge-loading', text: 'Looking for the question it repeats…' });
  const none = el('p', { class: 'muted merge-none', attrs: { hidden: true } });
  const list = el('ul', { class: 'merge-suggestions', attrs: { 'aria-label': 'Questions it may repeat' } });
  const submit = el('button', { class: 'button small primary merge-submit', attrs: { type: 'submit' }, text: 'Merge' });
  const cancel = el('button', { class: 'button small merge-cancel', attrs: { type: 'button' }, text: 'Cancel' });
  const error = el('p', { class: 'error merge-error', attrs: { id: `merge-error-${domId}`, role: 'alert' } });
  const form = el('form', { class: 'inline-form merge-form', attrs: { id: `merge-${domId}`, hidden: true, novalidate: true } },
    el('p', { class: 'merge-help', text: 'Merge this question into the one it repeats: its votes and comments move there.' }),
    loading, none, list,
    el('label', { attrs: { for: `merge-target-${domId}` }, text: 'Or the number of the question it repeats' }),
    input,
    el('div', { class: 'button-row' }, submit, cancel),
    error);
  /** Rises with each opening: suggestions for an earlier opening are dropped. */
  let asking = 0;

  input.addEventListener('input', () => {
    const typed = parsePostId(input.value);
    for (const radio of list.querySelectorAll('input')) radio.checked = radio.value === typed;
  });

  function showSuggestions(posts) {
    loading.hidden = true;
    none.hidden = posts.length > 0;
    setText(none, 'No similar question found. Type the number of the one it repeats.');
    reconcile(list, posts, {
      key: (p) => p.id,
      create: (p) => {
        const radio = el('input', { attrs: { type: 'radio', name, value: p.id, id: `${name}-${idPart(p.id)}` } });
        radio.addEventListener('change', () => {
          if (radio.checked) input.value = String(p.id);
        });
        return el('li', { class: 'merge-suggestion', dataset: { postId: p.id } },
          el('label', { class: 'merge-choice', attrs: { for: `${name}-${idPart(p.id)}` } },
            radio, ' ',
            el('span', { class: 'merge-id' }), ' ',
            el('span', { class: 'merge-text' }), ' ',
            el('span', { class: 'merge-score' })));
      },
      update: (node, p) => {
        setText(node.querySelector('.merge-id'), `#${p.id}`);
        setText(node.querySelector('.merge-text'), p.text);
        setText(node.querySelector('.merge-score'), `${similarityText(p.similarity)} · ${p.up ?? 0} up`);
      },
    });
  }

  function open() {
    form.hidden = false;
    setError(error, '');
    input.value = '';
    list.replaceChildren();
    loading.hidden = false;
    none.hidden = true;
    const mine = ++asking;
    const text = store.post(id)?.text ?? '';
    const found = text
      ? conn.request({ type: 'similar', text })
      : Promise.resolve({ posts: [] });
    found
      .then((ack) => freshSuggestions(ack && ack.posts, {
        lookup: (x) => store.post(x), follow: (x) => store.followMerge(x), exclude: id,
      }))
      // No suggestions (the server cannot say now): the number can still be typed.
      .catch(() => [])
      .then((posts) => { if (mine === asking && !form.hidden) showSuggestions(posts); });
    input.focus();
  }

  function close() {
    asking += 1;
    form.hidden = true;
  }

  cancel.addEventListener('click', () => close());
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') close();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (isUnavailable(submit)) return;
    const into = parsePostId(input.value);
    if (!into) {
      setError(error, input.value.trim() ? 'That is not a question number — they look like p12.' : 'Pick the question it repeats, or type its number.');
      input.focus();
      return;
    }
    if (into === String(id)) {
      setError(error, 'A question cannot be merged into itself.');
      input.focus();
      return;
    }
    setError(error, '');
    setBusy(submit, true);
    // Not resent after a reconnect: a second merge of the same post is refused (conflict).
    conn.request({ type: 'merge', post: id, into })
      .then(() => {
        close();
        onMerged?.(into);
      })
      .catch((e) => setError(error, errorText(e, 'merge')))
      .finally(() => setBusy(submit, false));
  });

  return { form, open, close };
}
