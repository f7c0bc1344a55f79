// "Why is this #1" (PROTOCOL.md §7): the orderings' maths against values worked out by
// hand, and the explanation the host console shows on a post's score.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { WILSON_Z, hotParts, rankValue, rankWhy, wilsonLowerBound } from '../../Web/js/rankwhy.js';

const close = (actual, expected, what, eps = 1e-9) =>
  assert.ok(Math.abs(actual - expected) < eps, `${what}: ${actual} is not ${expected}`);

test('hot = sign(s)·log10(max(|s|,1)) + t/45000, t in seconds from the cycle start', () => {
  // s = 9, posted an hour into the week: log10(9) = 0.954242509439325, 3600/45000 = 0.08.
  const h = hotParts(9, 3_600_000, 0);
  close(h.order, 0.954242509439325, 'log10(9)');
  close(h.t, 3600, 't');
  close(h.value, 1.034242509439325, 'hot(9, 1 h)');
  // s = −4, 25 h in: −log10(4) + 90000/45000 = −0.602059991327962 + 2.
  close(hotParts(-4, 90_000_000, 0).value, 1.397940008672038, 'hot(−4, 25 h)');
  // s = 0 and s = ±1 weigh nothing: log10(1) = 0; only the age counts.
  close(hotParts(0, 45_000_000, 0).value, 1, 'hot(0, 12.5 h)');
  close(hotParts(1, 45_000_000, 0).value, 1, 'hot(1, 12.5 h)');
  // t runs from the cycle's start, not from the epoch.
  close(hotParts(100, 1_700_000_450_000, 1_700_000_000_000).value, 2.01, 'hot(100, 450 s)');
});

test('best = the Wilson lower bound with z = 1.281551565545', () => {
  assert.equal(WILSON_Z, 1.281551565545);
  assert.equal(wilsonLowerBound(0, 0), 0, 'no votes');
  // One up vote: p̂ = 1, so the bound is (1 + z²/2 − z·z/2)/(1 + z²) = 1/(1 + z²).
  const z2 = 1.281551565545 ** 2; // 1.642374415...
  close(wilsonLowerBound(1, 0), 1 / (1 + z2), 'one up');
  close(wilsonLowerBound(1, 0), 0.378447, 'one up, to six places', 1e-6);
  assert.equal(wilsonLowerBound(0, 5), 0, 'only down votes: p̂ = 0 gives 0');
  // 12 up, 3 down: n = 15, p̂ = 0.8; z² = 1.6423744, z²/2n = 0.0547458, p̂(1−p̂)/n = 0.0106667,
  // z²/4n² = 0.0018249, √0.0124915 = 0.1117655, ·z = 0.1432333;
  // (0.8 + 0.0547458 − 0.1432333) / (1 + 0.1094916) = 0.7115126 / 1.1094916 = 0.641296.
  close(wilsonLowerBound(12, 3), 0.641296, '12 up 3 down', 1e-6);
  // More votes at the same share rank higher: 120/30 beats 12/3.
  assert.ok(wilsonLowerBound(120, 30) > wilsonLowerBound(12, 3));
  // 120/30: n = 150; (0.8 + 0.0054746 − z·√(0.0010667 + 0.0000182)) / (1 + 0.0109492)
  // = (0.8054746 − 0.0422118) / 1.0109492 = 0.754996.
  close(wilsonLowerBound(120, 30), 0.754996, '120 up 30 down', 1e-6);
});

test('rankValue: what each ordering sorts by', () => {
  const post = { up: 12, down: 3, score: 9, createdAt: 3_600_000 };
  assert.equal(rankValue(post, 'top', 0), 9);
  close(rankValue(post, 'hot', 0), 1.034242509439325, 'hot');
  close(rankValue(post, 'best', 0), 0.641296, 'best', 1e-6);
  assert.equal(rankValue(post, 'new', 0), 3_600_000);
});

test('rankWhy: the place, the counts and the formula with its numbers', () => {
  const post = { id: 'p1', status: 'open', up: 12, down: 3, score: 9, createdAt: 3_600_000 };
  const now = 3_600_000 + 5 * 60_000;
  const top = rankWhy(post, 'top', { cycleStartedAt: 0, rank: 1, count: 4, now });
  assert.equal(top.lines[0], '#1 of 4 by Top');
  assert.equal(top.lines[1], '12 up, 3 down: score 9');
  assert.equal(top.lines[2], 'Asked 5 min ago, 3,600 s into the week');
  assert.match(top.text, /Top = score = 9; ties: the earlier post first/);

  const hot = rankWhy(post, 'hot', { cycleStartedAt: 0, rank: 2, count: 4, now });
  assert.deepEqual(hot.lines.slice(3), [
    'Hot = sign(s)·log10(max(|s|,1)) + t/45000',
    '= 1·log10(9) + 3,600/45000',
    '= 0.954 + 0.080 = 1.034',
  ]);
  const down = rankWhy({ ...post, up: 0, down: 4, score: -4, createdAt: 90_000_000 }, 'hot', { cycleStartedAt: 0, now });
  assert.equal(down.lines[0], 'Not in the Hot ranking');
  assert.equal(down.lines.at(-1), '= -0.602 + 2.000 = 1.398');

  const best = rankWhy(post, 'best', { cycleStartedAt: 0, rank: 1, count: 4, now });
  assert.ok(best.lines.includes('n = 15, p̂ = 12/15 = 0.800'));
  assert.equal(best.lines.at(-1), '= 0.641; ties by Top');
  assert.match(rankWhy({ ...post, up: 0, down: 0 }, 'best', { cycleStartedAt: 0 }).text, /n = 0 votes, so 0/);

  assert.match(rankWhy(post, 'new', { cycleStartedAt: 0, rank: 3 }).text, /New = createdAt 3,600,000 ms/);
  assert.equal(rankWhy({ ...post, status: 'merged', mergedInto: 'p7' }, 'top', { rank: null }).lines[0], 'Not ranked: merged into #p7');
});
