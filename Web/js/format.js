// Pure formatting helpers shared by every page. No DOM access: unit-tested with node.

/** Text limits of PROTOCOL.md §4, counted in Unicode scalars like the server does. */
export const LIMITS = Object.freeze({
  post: 1000,
  comment: 500,
  announcement: 2000,
  title: 200,
  stream: 2000,
  answer: 2000,
  owner: 200,
  note: 500,
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

/** How long a text reads on the room screen: short (up to 80 characters), medium (up to 200), long. */
export function textLength(text) {
  const n = charCount(text);
  if (n <= 80) return 'short';
  return n <= 200 ? 'medium' : 'long';
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
  merged: 'merged',
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

/** What each action makes, for error wording, and its length limit. */
const SUBJECTS = {
  post: ['A question', LIMITS.post],
  comment: ['A comment', LIMITS.comment],
  announce: ['An announcement', LIMITS.announcement],
  answer: ['An answer', LIMITS.answer],
  decline: ['A reason', LIMITS.note],
};

/** Only hosts (or staff) may do these; said in plain words when the server refuses. */
const FORBIDDEN = {
  announce: 'Only the host can send announcements.',
  townhall: 'Only the host can start or end the townhall.',
  cycle: 'Only the host can close the week.',
  moderate: 'Only hosts and moderators can move questions.',
  decline: 'Only hosts and moderators can decline questions.',
  answer: 'Only hosts and moderators can answer questions.',
  agenda: 'Only hosts and moderators can change the agenda.',
  poll: 'Only the host can open or close polls.',
  merge: 'Only hosts and moderators can merge questions.',
};

/** "at most 5 posts a minute" in a server message → 5. */
function limitIn(message) {
  const m = /at most (\d+)/.exec(message);
  return m ? Number(m[1]) : null;
}

/**
 * Plain words for an `error` reply (or a client-side failure) shown next to what caused it.
 * `action` is what the user tried: "post", "comment", "vote", "announce", "townhall",
 * "cycle", "moderate", "thread". A client-side too_large may carry `length` (what was typed).
 */
export function errorText(error, action = '') {
  const code = error && error.code;
  const message = error && typeof error.message === 'string' ? error.message : '';
  const [subject, max] = SUBJECTS[action] ?? ['This text', null];
  switch (code) {
    case 'rate_limited': {
      const n = limitIn(message);
      if (action === 'vote') return "You're voting too fast. Wait a moment and try again.";
      if (action === 'comment') {
        return `You're commenting too fast${n ? ` (at most ${formatNumber(n)} comments a minute)` : ''}. Wait a moment and try again — your text is kept.`;
      }
      if (action === 'post') {
        return `You're posting too fast${n ? `: at most ${formatNumber(n)} questions a minute` : ''}. Wait a minute and try again — your text is kept.`;
      }
      return 'Too many requests at once. Wait a moment and try again.';
    }
    case 'too_large': {
      const typed = Number.isFinite(error.length) ? `${formatNumber(error.length)} characters` : '';
      if (!max) return 'Too long — shorten it and try again.';
      const limit = `${subject} can be at most ${formatNumber(max)} characters`;
      return typed ? `Too long: ${typed}. ${limit} — shorten it and try again.`
        : `Too long: ${limit.toLowerCase()} — shorten it and try again.`;
    }
    case 'invalid_text':
      if (/empty/i.test(message)) return 'Write something first.';
      return "This text contains invisible control characters that can't be posted. Remove them and try again.";
    case 'empty':
      return 'Write something first.';
    case 'forbidden':
      return FORBIDDEN[action] ?? "You're not allowed to do that.";
    case 'unauthorized':
    case 'signed_out':
      return 'Signed out — open the link you were given to sign in again.';
    case 'offline':
      return "You're offline — nothing was sent and your text is kept. Try again when the connection is back.";
    case 'disconnected':
      return 'The connection dropped before the server confirmed this. Your text is kept — check whether it went through before sending again.';
    case 'timeout':
      return 'No answer from the server — check whether it went through, then try again.';
    case 'not_found':
      if (action === 'archive') return 'That week is not available any more — it may have been erased.';
      if (action === 'poll' || action === 'poll-answer') return 'This poll is not available any more.';
      if (action === 'merge') return 'There is no such question this week — check its number.';
      return 'This question is no longer available — it may have been removed.';
    case 'conflict':
      if (action === 'vote') return "Voting on this question has closed: it belongs to a past week.";
      if (action === 'agenda') return 'The agenda changed meanwhile. Check the new order and try again.';
      if (action === 'poll-answer') return 'This poll has closed — answers are no longer taken.';
      if (action === 'merge') return 'These two cannot be merged: one of them is merged already, or they are from different weeks.';
      return "That isn't possible right now.";
    case 'unavailable':
      return 'The server cannot take changes right now. Wait a moment and try again.';
    case 'bad_request':
      return message ? `The server could not accept this: ${message}.` : 'The server could not accept this.';
    default:
      if (message) return message;
      return code ? `Something went wrong (${code}).` : 'Something went wrong.';
  }
}

// ---- the weekly cycle ----

/**
 * A post's written answer as one line: "Answer: We will. — Owner: HR, by 12 Dec", or
 * "Answer: We will." without an owner; '' when there is none.
 */
export function answerSummary(answer) {
  if (!answer || typeof answer.text !== 'string' || answer.text === '') return '';
  const owner = typeof answer.owner === 'string' && answer.owner.trim() ? answer.owner : '';
  return owner ? `Answer: ${answer.text} — Owner: ${owner}` : `Answer: ${answer.text}`;
}

/**
 * The tag of a question carried over from an earlier week ('' when it was asked this week):
 * "carried over from last week", or "carried over from week 3" when it waited longer.
 */
export function carriedLabel(post, cycle) {
  const from = post ? post.carriedFrom : null;
  if (from == null) return '';
  const current = Number(cycle && cycle.id);
  if (Number.isFinite(current) && Number(from) !== current - 1) return `carried over from week ${from}`;
  return 'carried over from last week';
}

/**
 * A post's support per office (staff only), most voters first, then by name:
 * [{office, up, down, voters}].
 */
export function supportRows(support) {
  if (!support || typeof support !== 'object') return [];
  return Object.entries(support)
    .map(([office, s]) => ({
      office,
      up: Number(s && s.up) || 0,
      down: Number(s && s.down) || 0,
      voters: Number(s && s.voters) || 0,
    }))
    .filter((r) => r.voters > 0 || r.up > 0 || r.down > 0)
    .sort((a, b) => b.voters - a.voters || a.office.localeCompare(b.office));
}

/**
 * The compact line of a post's support: "Dublin 12 · Berlin 7 · Austin 3 voters", the
 * first `limit` offices and "+ 2 more offices" after them; "No votes yet" when empty.
 */
export function supportSummary(support, limit = 3) {
  const rows = supportRows(support);
  if (!rows.length) return 'No votes yet';
  const shown = rows.slice(0, limit).map((r) => `${r.office} ${formatNumber(r.voters)}`).join(' · ');
  const last = rows.slice(0, limit).at(-1);
  let text = `${shown} ${last.voters === 1 && rows.length === 1 ? 'voter' : 'voters'}`;
  if (rows.length > limit) text += ` · ${plural(rows.length - limit, 'more office')}`;
  return text;
}

/** What the employee is told when a moderator approved or declined their question. */
export function reviewText(notice) {
  if (!notice) return '';
  if (notice.approved) return 'Your question was approved and is now public.';
  return notice.reason ? `Your question was declined: ${notice.reason}` : 'Your question was declined.';
}

/** A past week in the picker: "Week 3", or "Week 3 (of 17 Nov)" once its start is known. */
export function weekLabel(id, cycle) {
  if (cycle && Number.isFinite(cycle.startedAt)) {
    const day = new Date(cycle.startedAt).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
    return `Week ${id} (of ${day})`;
  }
  return `Week ${id}`;
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
