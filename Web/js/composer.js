// A text composer (post, comment, announcement): live character count, validation, one
// request at a time, the error shown beside it, and the text kept until the server acks.

import { charCount, errorText } from './format.js';
import { characterCounter, setBusy, setError, setText } from './render.js';

/**
 * @param {object} o
 * @param {HTMLFormElement} o.form
 * @param {HTMLTextAreaElement} o.textarea
 * @param {HTMLButtonElement} o.button
 * @param {HTMLElement} [o.counter]  "n / max"
 * @param {HTMLElement} o.error      `.error` beside the composer
 * @param {HTMLElement} [o.note]     polite status ("Waiting for the connection…", "Posted")
 * @param {number} o.max
 * @param {string} o.action          for error wording: post | comment | announce
 * @param {(text: string) => Promise<object>} o.send
 * @param {() => boolean} [o.isConnected]
 * @param {(ack: object) => void} [o.onSent]
 * @param {(text: string) => void} [o.onInput]  every edit, e.g. to look for the same question asked before
 * @param {'enter'|'mod-enter'} [o.submitKey]  Enter sends (Shift+Enter = new line), or Ctrl/⌘+Enter
 * @param {string} [o.sentText]      note shown after a successful send
 */
export function bindComposer(o) {
  const refresh = o.counter ? characterCounter(o.textarea, o.counter, o.max) : () => {};
  let busy = false;

  o.textarea.addEventListener('input', () => {
    if (!busy) setText(o.note, '');
    o.onInput?.(o.textarea.value);
  });

  o.textarea.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.isComposing) return;
    const wanted = o.submitKey === 'enter'
      ? !event.shiftKey && !event.ctrlKey && !event.metaKey && !event.altKey
      : event.ctrlKey || event.metaKey;
    if (!wanted) return;
    event.preventDefault();
    o.form.requestSubmit();
  });

  o.form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (busy) return;
    const text = o.textarea.value.trim();
    if (!text) {
      setError(o.error, errorText({ code: 'empty' }, o.action));
      o.textarea.focus();
      return;
    }
    if (charCount(text) > o.max) {
      setError(o.error, errorText({ code: 'too_large', length: charCount(text) }, o.action));
      o.textarea.focus();
      return;
    }
    busy = true;
    setBusy(o.button, true);
    setError(o.error, '');
    setText(o.note, o.isConnected && !o.isConnected() ? 'Waiting for the connection — it will be sent when it is back.' : '');
    o.send(text).then(
      (ack) => {
        // Clear only what was sent: keep anything typed meanwhile.
        if (o.textarea.value.trim() === text) o.textarea.value = '';
        refresh();
        setText(o.note, o.sentText ?? '');
        o.onSent?.(ack);
      },
      (error) => {
        setText(o.note, '');
        setError(o.error, errorText(error, o.action));
      },
    ).finally(() => {
      busy = false;
      setBusy(o.button, false);
    });
  });

  return { refresh };
}
