// "Why is this #1": the numbers behind a post's place in each ordering of PROTOCOL.md §7,
// worked out the way the server ranks, so a host can see what put a question where it is.
// Pure functions: no DOM, unit-tested with node against hand-computed values.

import { formatNumber, timeAgo } from './format.js';

/** §7 best: z of the Wilson interval (an 80% two-sided interval). */
export const WILSON_Z = 1.281551565545;
/** §7 hot: one point of log-score per 45,000 seconds (12.5 hours) of age. */
export const HOT_SECONDS = 45000;

export const ORDERING_NAMES = Object.freeze({ top: 'Top', hot: 'Hot', best: 'Best', new: 'New' });

/**
 * §7 hot, in parts: sign(s)·log10(max(|s|,1)) + t/45000, with s the score and t the
 * seconds from the cycle's start to the post's createdAt.
 */
export function hotParts(score, createdAt, cycleStartedAt) {
  const s = Number(score) || 0;
  const sign = Math.sign(s);
  const order = Math.log10(Math.max(Math.abs(s), 1));
  const t = ((Number(createdAt) || 0) - (Number(cycleStartedAt) || 0)) / 1000;
  const age = t / HOT_SECONDS;
  return { s, sign, order, t, age, value: sign * order + age };
}

/** §7 best: the lower bound of the Wilson score interval for the share of up votes (0 when no votes). */
export function wilsonLowerBound(up, down, z = WILSON_Z) {
  const u = Math.max(0, Number(up) || 0);
  const n = u + Math.max(0, Number(down) || 0);
  // No up votes: exactly 0, as the server has it (computing it leaves ±1e-17 of noise).
  if (n === 0 || u === 0) return 0;
  const p = u / n;
  const z2 = z * z;
  return (p + z2 / (2 * n) - z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
}

/** What a post is sorted by in an ordering (descending in every one). */
export function rankValue(post, ordering, cycleStartedAt) {
  const up = Number(post.up) || 0;
  const down = Number(post.down) || 0;
  const score = post.score ?? up - down;
  switch (ordering) {
    case 'hot': return hotParts(score, post.createdAt, cycleStartedAt).value;
    case 'best': return wilsonLowerBound(up, down);
    case 'new': return Number(post.createdAt) || 0;
    default: return Number(score) || 0;
  }
}

/** A local date and time to the second, e.g. "24 Nov, 14:05:09". */
const exactTime = (ms) => new Date(Number(ms) || 0).toLocaleString(undefined, {
  day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit',
});

/** Three decimals, without a "−0.000". */
const fixed = (x) => {
  const text = x.toFixed(3);
  return /^-0\.0+$/.test(text) ? text.slice(1) : text;
};
const signed = (x) => (x < 0 ? `− ${fixed(-x)}` : `+ ${fixed(x)}`);

/**
 * The explanation of a post's place: {lines, text}. `rank` is its 1-based place in the
 * ordering (or null when it is not ranked), `count` how many are ranked.
 */
export function rankWhy(post, ordering, { cycleStartedAt = null, rank = null, count = null, now = Date.now() } = {}) {
  const up = Number(post.up) || 0;
  const down = Number(post.down) || 0;
  const score = Number(post.score ?? up - down) || 0;
  const name = ORDERING_NAMES[ordering] ?? ordering;
  const lines = [];
  if (post.status === 'merged') {
    lines.push(`Not ranked: merged into #${post.mergedInto ?? '?'}`);
  } else if (rank != null) {
    lines.push(`#${formatNumber(rank)}${count ? ` of ${formatNumber(count)}` : ''} by ${name}`);
  } else {
    lines.push(`Not in the ${name} ranking`);
  }
  lines.push(`${formatNumber(up)} up, ${formatNumber(down)} down: score ${formatNumber(score)}`);
  const started = Number.isFinite(Number(cycleStartedAt)) && cycleStartedAt != null;
  const t = started ? ((Number(post.createdAt) || 0) - Number(cycleStartedAt)) / 1000 : null;
  lines.push(`Asked ${timeAgo(post.createdAt, now)}${t != null ? `, ${formatNumber(Math.round(t))} s into the week` : ''}`);
  switch (ordering) {
    case 'hot': {
      const h = hotParts(score, post.createdAt, started ? cycleStartedAt : post.createdAt);
      lines.push('Hot = sign(s)·log10(max(|s|,1)) + t/45000');
      lines.push(`= ${h.sign}·log10(${formatNumber(Math.max(Math.abs(h.s), 1))}) + ${formatNumber(Math.round(h.t))}/45000`);
      lines.push(`= ${fixed(h.sign * h.order)} ${signed(h.age)} = ${fixed(h.value)}`);
      break;
    }
    case 'best': {
      const n = up + down;
      const value = wilsonLowerBound(up, down);
      lines.push(`Best = Wilson lower bound, z = ${WILSON_Z}`);
      if (n === 0) {
        lines.push('n = 0 votes, so 0');
      } else {
        lines.push(`n = ${formatNumber(n)}, p̂ = ${formatNumber(up)}/${formatNumber(n)} = ${fixed(up / n)}`);
        lines.push('(p̂ + z²/2n − z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)');
        lines.push(`= ${fixed(value)}; ties by Top`);
      }
      break;
    }
    case 'new':
      lines.push(`New = createdAt ${formatNumber(Number(post.createdAt) || 0)} ms (${exactTime(post.createdAt)})`);
      lines.push('Newest first; ties by id');
      break;
    default:
      lines.push(`Top = score = ${formatNumber(score)}; ties: the earlier post first`);
      break;
  }
  return { lines, text: lines.join('\n') };
}
