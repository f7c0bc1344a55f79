// Small DOM helpers shared by the pages. User text only ever goes in through textContent.

import {
  authorLabel, carriedLabel, charCount, formatNumber, fullTime, statusLabel, timeAgo,
} from './format.js';

/**
 * Creates an element. opts: {class, text, attrs, dataset, on}. Children are nodes or
 * strings (strings become text nodes). There is no way to pass HTML.
 */
export function el(tag, opts = {}, ...children) {
  const node = document.createElement(tag);
  if (opts.class) node.className = opts.class;
  if (opts.text != null) node.textContent = String(opts.text);
  for (const [name, value] of Object.entries(opts.attrs ?? {})) {
    if (value === false || value == null) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const [name, value] of Object.entries(opts.dataset ?? {})) node.dataset[name] = String(value);
  for (const [event, fn] of Object.entries(opts.on ?? {})) node.addEventListener(event, fn);
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/** Sets text only when it differs (keeps selection and avoids needless layout). */
export function setText(node, text) {
  const value = text == null ? '' : String(text);
  if (node && node.textContent !== value) node.textContent = value;
}

export function setAttr(node, name, value) {
  if (!node) return;
  if (value === false || value == null) {
    if (node.hasAttribute(name)) node.removeAttribute(name);
  } else {
    const v = value === true ? '' : String(value);
    if (node.getAttribute(name) !== v) node.setAttribute(name, v);
  }
}

export function show(node, visible) {
  if (node) node.hidden = !visible;
}

export function prefersReducedMotion() {
  return window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}

/**
 * Keyed list reconciliation: makes `container`'s children match `items` in order, reusing
 * the node of each key (so focus, open threads and animations survive). `cache` may be
 * shared by several containers so a node can move between them.
 */
export function reconcile(container, items, { key, create, update, cache }) {
  const nodes = cache ?? new Map();
  if (!cache) for (const child of container.children) if (child.dataset.key) nodes.set(child.dataset.key, child);
  const wanted = new Set();
  items.forEach((item, i) => {
    const k = String(key(item));
    wanted.add(k);
    let node = nodes.get(k);
    if (!node) {
      node = create(item);
      node.dataset.key = k;
      nodes.set(k, node);
    }
    update(node, item);
    const at = container.children[i];
    if (at !== node) container.insertBefore(node, at ?? null);
  });
  for (const child of [...container.children]) {
    if (!wanted.has(child.dataset.key)) child.remove();
  }
}

/** Drops cached nodes that are no longer in the document (after all containers ran). */
export function pruneCache(cache) {
  for (const [k, node] of cache) if (!node.isConnected) cache.delete(k);
}

/**
 * Runs `mutate` (which changes the DOM) so that the page does not jump under the reader and
 * rows glide to their new places (FLIP: First, Last, Invert, Play).
 *  - the element the reader is looking at (first `[data-anchor]` at the top of the viewport)
 *    stays where it was on screen;
 *  - keyboard focus survives nodes being moved;
 *  - rows (`[data-key]` children of `lists`) animate from their old position with a
 *    transform, unless the user prefers reduced motion.
 * keepPlace: false skips the first point, for changes the reader asked for (a new ordering).
 */
export function transition(lists, mutate, { keepPlace = true } = {}) {
  const rows = [];
  for (const list of lists) if (list) for (const row of list.children) rows.push(row);
  const first = new Map();
  const animate = !prefersReducedMotion() && rows.length > 0;
  if (animate) {
    for (const row of rows) {
      const rect = row.getBoundingClientRect();
      // A row inside a collapsed group has no box: it fades in instead of flying.
      if (rect.height > 0) first.set(row, rect.top);
    }
  }
  const anchor = keepPlace ? findAnchor() : null;
  const anchorTop = anchor ? anchor.getBoundingClientRect().top : 0;
  const focused = document.activeElement;

  mutate();

  if (focused && focused !== document.body && focused.isConnected && document.activeElement !== focused) {
    focused.focus({ preventScroll: true });
  }
  if (anchor && anchor.isConnected) {
    const delta = anchor.getBoundingClientRect().top - anchorTop;
    if (Math.abs(delta) >= 1) window.scrollBy(0, delta);
  }
  if (!animate) return;
  // Measure where rows really are now: stop glides still running from the last change
  // (their start positions above already include where those glides had got to).
  for (const list of lists) {
    if (!list) continue;
    for (const row of list.children) for (const a of row.getAnimations?.() ?? []) a.cancel();
  }
  for (const list of lists) {
    if (!list) continue;
    for (const row of list.children) {
      const before = first.get(row);
      if (before === undefined) {
        row.animate?.([{ opacity: 0 }, { opacity: 1 }], { duration: 250, easing: 'ease-out' });
        continue;
      }
      const dy = before - row.getBoundingClientRect().top;
      if (Math.abs(dy) < 1) continue;
      row.animate?.(
        [{ transform: `translateY(${dy}px)` }, { transform: 'translateY(0)' }],
        { duration: 300, easing: 'cubic-bezier(.2,.7,.3,1)' },
      );
    }
  }
}

/** The first anchor candidate whose top is visible below the sticky header, if scrolled. */
function findAnchor() {
  if (window.scrollY <= 0) return null;
  const header = document.querySelector('.site-header');
  const top = header ? Math.max(0, header.getBoundingClientRect().bottom) : 0;
  let fallback = null;
  for (const node of document.querySelectorAll('[data-anchor]')) {
    if (node.hidden || !node.offsetParent) continue;
    const rect = node.getBoundingClientRect();
    if (rect.bottom <= top) continue;
    if (rect.top >= top) return node;
    fallback ??= node;
  }
  return fallback;
}

/**
 * Batches renders to one per animation frame (and, with minInterval, at most one per
 * interval), collecting the change names passed to schedule().
 */
export function renderLoop(render, { minInterval = 0 } = {}) {
  let pending = null;
  let frame = 0;
  let last = 0;
  const flush = () => {
    frame = 0;
    const changes = pending;
    pending = null;
    last = performance.now();
    render(changes);
  };
  const run = () => {
    const wait = last + minInterval - performance.now();
    if (wait > 0) frame = setTimeout(flush, wait);
    else flush();
  };
  return (changes) => {
    pending ??= new Set();
    for (const c of changes) pending.add(c);
    if (!frame) frame = requestAnimationFrame(run);
  };
}

// ---- connection state ----

const STATE_TEXT = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting',
  offline: 'Offline',
  'signed-out': 'Signed out',
};

/**
 * Keeps #conn-state current: the label changes only with the state (announced politely),
 * the countdown ("in 4 s") is updated every second but hidden from screen readers.
 */
export function connectionIndicator(node) {
  const label = node.querySelector('.conn-label') ?? node.appendChild(el('span', { class: 'conn-label' }));
  const detail = node.querySelector('.conn-detail') ?? node.appendChild(el('span', { class: 'conn-detail', attrs: { 'aria-hidden': 'true' } }));
  let status = { state: 'connecting', retryAt: null };
  let ticker = 0;
  const paint = () => {
    node.dataset.state = status.state;
    setText(label, STATE_TEXT[status.state] ?? status.state);
    let extra = '';
    if (status.retryAt && (status.state === 'reconnecting' || status.state === 'offline')) {
      const s = Math.max(0, Math.ceil((status.retryAt - Date.now()) / 1000));
      extra = s > 0 ? ` in ${s} s` : '…';
      if (status.state === 'offline') extra = ` — retrying${extra}`;
    } else if (status.state === 'reconnecting') {
      extra = '…';
    } else if (status.state === 'signed-out') {
      extra = status.reason === 'no-token' ? ' — no sign-in link' : ' — link expired';
    }
    setText(detail, extra);
  };
  return (next) => {
    status = next;
    clearInterval(ticker);
    ticker = 0;
    if (status.retryAt) ticker = setInterval(paint, 1000);
    paint();
  };
}

// ---- shared pieces of rows ----

/** Fills a <time> with "5 min ago" and the full date as title. */
export function setTime(node, ms) {
  setText(node, timeAgo(ms));
  setAttr(node, 'datetime', Number.isFinite(ms) ? new Date(ms).toISOString() : null);
  setAttr(node, 'title', fullTime(ms));
}

/** Updates a `.status` badge. */
export function setStatusBadge(node, status) {
  const text = statusLabel(status);
  setText(node, text);
  node.dataset.status = status ?? '';
  node.hidden = text === '';
}

/**
 * The written answer under a question: "Answer: …" and, on its own line, "Owner: …".
 * Hidden while the post has none. Fill it with updateAnswer().
 */
export function answerBlock() {
  return el('div', { class: 'answer', attrs: { hidden: true } },
    el('p', { class: 'answer-line' },
      el('span', { class: 'answer-label', text: 'Answer:' }), ' ',
      el('span', { class: 'answer-text' })),
    el('p', { class: 'answer-owner-line' },
      el('span', { class: 'answer-label', text: 'Owner:' }), ' ',
      el('span', { class: 'answer-owner' })));
}

/** Shows `answer` ({text, owner, at} or null) in a block made by answerBlock(). */
export function updateAnswer(node, answer) {
  const text = answer && typeof answer.text === 'string' ? answer.text : '';
  const owner = answer && typeof answer.owner === 'string' ? answer.owner.trim() : '';
  node.hidden = text === '';
  setText(node.querySelector('.answer-text'), text);
  setText(node.querySelector('.answer-owner'), owner);
  node.querySelector('.answer-owner-line').hidden = owner === '';
}

/** The "carried over from last week" tag of a post's meta line (hidden when not carried). */
export function carriedTag() {
  return el('span', { class: 'tag carried', attrs: { hidden: true } });
}

export function updateCarried(node, post, cycle) {
  const text = carriedLabel(post, cycle);
  setText(node, text);
  node.hidden = text === '';
}

/** A comment list item: text, then author and time. */
export function commentItem(comment) {
  return el('li', { class: 'comment', dataset: { commentId: comment.id } },
    el('p', { class: 'comment-text', text: comment.text }),
    el('p', { class: 'comment-meta' },
      el('span', { class: 'comment-author', text: authorLabel(comment) }),
      ' · ',
      timeNode(comment.createdAt)));
}

export function timeNode(ms) {
  const node = el('time', { class: 'time' });
  setTime(node, ms);
  return node;
}

/** Fills a comment list (oldest first), reusing nodes by id. */
export function renderComments(list, comments) {
  reconcile(list, comments, {
    key: (c) => c.id,
    create: commentItem,
    update: (node, c) => {
      setText(node.querySelector('.comment-text'), c.text);
      setTime(node.querySelector('time'), c.createdAt);
    },
  });
}

/**
 * Wires a textarea to a live "n / max" counter, marking it when over the limit.
 * Returns a function that refreshes the counter (after the value is set by code).
 */
export function characterCounter(textarea, counter, max) {
  const refresh = () => {
    const n = charCount(textarea.value);
    setText(counter, `${formatNumber(n)} / ${formatNumber(max)}`);
    counter.classList.toggle('over', n > max);
    setAttr(textarea, 'aria-invalid', n > max ? 'true' : null);
  };
  textarea.addEventListener('input', refresh);
  refresh();
  return refresh;
}

/** Sets an error element's text (empty clears it; CSS hides an empty `.error`). */
export function setError(node, text) {
  setText(node, text || '');
}

/**
 * Marks a button busy while a request is in flight. It stays focusable (aria-disabled, not
 * disabled): a disabled button drops keyboard focus back to the start of the page.
 * Handlers check isUnavailable() before acting.
 */
export function setBusy(button, busy) {
  if (!button) return;
  setAttr(button, 'aria-busy', busy ? 'true' : null);
  setAttr(button, 'aria-disabled', busy ? 'true' : null);
}

/** True while a button is marked unavailable (busy, or not applicable now). */
export function isUnavailable(button) {
  return !!button && button.getAttribute('aria-disabled') === 'true';
}

/**
 * Wires a role="tablist" of buttons with data-ordering: click or arrow keys select one.
 * Returns select(ordering) to set the selection from code.
 */
export function bindTabs(tablist, panel, onSelect) {
  const tabs = [...tablist.querySelectorAll('[role="tab"]')];
  const select = (ordering, focus = false) => {
    for (const tab of tabs) {
      const on = tab.dataset.ordering === ordering;
      tab.setAttribute('aria-selected', on ? 'true' : 'false');
      tab.tabIndex = on ? 0 : -1;
      if (on) {
        if (panel) panel.setAttribute('aria-labelledby', tab.id);
        if (focus) tab.focus();
      }
    }
  };
  tablist.addEventListener('click', (event) => {
    const tab = event.target.closest('[role="tab"]');
    if (!tab) return;
    select(tab.dataset.ordering);
    onSelect(tab.dataset.ordering);
  });
  tablist.addEventListener('keydown', (event) => {
    const i = tabs.indexOf(document.activeElement);
    if (i < 0) return;
    let next = -1;
    if (event.key === 'ArrowRight' || event.key === 'ArrowDown') next = (i + 1) % tabs.length;
    else if (event.key === 'ArrowLeft' || event.key === 'ArrowUp') next = (i - 1 + tabs.length) % tabs.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = tabs.length - 1;
    if (next < 0) return;
    event.preventDefault();
    select(tabs[next].dataset.ordering, true);
    onSelect(tabs[next].dataset.ordering);
  });
  return select;
}

/** Remembers a small UI preference for this tab. */
export function remember(key, value) {
  try {
    if (value === undefined) return sessionStorage.getItem(key);
    sessionStorage.setItem(key, value);
  } catch { /* storage off */ }
  return value;
}

/** Keeps a scrolled list pinned to its bottom (chat-like) if the reader was at the bottom. */
export function stickToBottom(scroller, mutate) {
  const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 24;
  mutate();
  if (atBottom) scroller.scrollTop = scroller.scrollHeight;
}
