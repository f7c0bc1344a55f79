// Pure formatting helpers shared by every page. No DOM access: unit-tested with node.

/** Text limits of PROTOCOL.md §4, counted in Unicode scalars like the server does. */
export const LIMITS = Object.freeze({
  post: 1000,
  comment: 500,
  announcement: 2000,
  title: 200,
  stream: 2000,
});

const numbers = new Intl.NumberFormat('en-US');

/** 1284 → "1,284". */
export function formatNumber(n) {
  return numbers.format(Number.isFinite(n) ? n : 0);
}

/** Number of Unicode code points (what the server counts), not UTF-16 units. */
export function charCount(text) {
  let n = 0;
  for (const _ of String(text ?? '')) n += 1;
  return n;
}

/** "1 comment", "3 comments". */
export function plural(n, one, many = `${one}s`) {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

/** presence {total, offices:{Dublin: 412}} → "1,284 watching from 9 offices". */
export function formatPresence(presence) {
  if (!presence) return '';
  const total = Number(presence.total) || 0;
  const offices = Object.values(presence.offices || {}).filter((n) => Number(n) > 0).length;
  if (offices === 0) return `${formatNumber(total)} watching`;
  return `${formatNumber(total)} watching from ${plural(offices, 'office')}`;
}

/** "Aoife Byrne · Dublin", or "Anonymous · Dublin" when the author is hidden. */
export function authorLabel(item) {
  if (!item) return '';
  const author = item.author;
  if (author && author.name) {
    const office = author.office || item.office;
    return office ? `${author.name} · ${office}` : author.name;
  }
  return item.office ? `Anonymous · ${item.office}` : 'Anonymous';
}

const STATUS_LABELS = {
  pending: 'waiting for review',
  open: '',
  shortlisted: 'shortlisted',
  onair: 'on air',
  answered: 'answered',
  dismissed: 'dismissed',
  hidden: 'hidden',
};

/** The badge text for a post status; empty for plain open posts. */
export function statusLabel(status) {
  return STATUS_LABELS[status] ?? String(status ?? '');
}

/** "just now", "5 min ago", "3 h ago", "2 d ago". */
export function timeAgo(ms, now = Date.now()) {
  if (!Number.isFinite(ms)) return '';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  return `${Math.round(h / 24)} d ago`;
}

/** A full local date-time for a `<time>` title, e.g. "24 Nov 2025, 14:05". */
export function fullTime(ms) {
  if (!Number.isFinite(ms)) return '';
  return new Date(ms).toLocaleString(undefined, {
    day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit',
  });
}

/** cycle {id, startedAt} → "Week of 24 Nov". */
export function formatCycle(cycle) {
  if (!cycle) return '';
  if (Number.isFinite(cycle.startedAt)) {
    const day = new Date(cycle.startedAt).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
    return `Week of ${day}`;
  }
  return `Cycle ${cycle.id}`;
}

/** The stream URL if it is a well-formed https URL, else null (never frame anything else). */
export function safeStreamUrl(value) {
  if (typeof value !== 'string' || value.trim() === '') return null;
  try {
    const url = new URL(value.trim());
    return url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * Plain words for an `error` reply (or a client-side failure) shown next to what caused it.
 * `action` is what the user tried: "post", "comment", "vote", "announce", ...
 */
export function errorText(error, action = '') {
  const code = error && error.code;
  const message = error && typeof error.message === 'string' ? error.message : '';
  switch (code) {
    case 'rate_limited':
      if (action === 'vote') return "You're voting too fast — wait a moment and try again";
      if (action === 'comment') return "You're commenting too fast — try again in a minute";
      return "You're posting too fast — try again in a minute";
    case 'too_large':
      return 'Too long';
    case 'forbidden':
      return 'Not allowed';
    case 'unauthorized':
    case 'signed_out':
      return 'Signed out — open the link you were given to sign in again';
    case 'offline':
      return "You're offline — nothing was sent and your text is kept. Try again when the connection is back";
    case 'disconnected':
      return 'The connection dropped before the server confirmed this. Your text is kept — check whether it went through before sending again';
    case 'timeout':
      return 'No answer from the server — check whether it went through, then try again';
    case 'empty':
      return 'Write something first';
    default:
      if (message) return message;
      if (code === 'not_found') return 'Not found — it may have been removed';
      if (code === 'conflict') return 'That is not possible right now';
      if (code === 'unavailable') return 'The server is busy — try again shortly';
      return code ? `Something went wrong (${code})` : 'Something went wrong';
  }
}

/** A random retry key for a post (PROTOCOL.md §4 `key`). */
export function newKey() {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A string safe to use inside an id attribute, derived from a server id. */
export function idPart(value) {
  return String(value).replace(/[^A-Za-z0-9_-]/g, '_');
}
