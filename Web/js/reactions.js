// Live reactions (PROTOCOL.md §9): the six emoji, a bar to send them during the live
// townhall, and bursts that rise over the video and the room screen as counts arrive.

import { el } from './render.js';

export const REACTIONS = [
  { emoji: '\u{1F44D}', label: 'Thumbs up' },
  { emoji: '\u{1F44F}', label: 'Applause' },
  { emoji: '\u{2764}\u{FE0F}', label: 'Love' },
  { emoji: '\u{1F602}', label: 'Laughing' },
  { emoji: '\u{1F62E}', label: 'Surprised' },
  { emoji: '\u{1F914}', label: 'Thinking' },
];

/** The most floating emoji one update adds per kind: a storm reads as a storm, cheaply. */
export const BURST_CAP = 8;

/**
 * Floats the counts of one update up `layer` (`counts`: {emoji: n}); each one removes
 * itself when its animation ends (or after 3 s). Returns how many were added.
 */
export function burst(layer, counts, random = Math.random) {
  if (!layer || !counts) return 0;
  let added = 0;
  for (const { emoji } of REACTIONS) {
    const n = Math.min(BURST_CAP, Number(counts[emoji]) || 0);
    for (let i = 0; i < n; i += 1) {
      // Where it rises and when: classes, not inline styles (the pages' CSP has none).
      const lane = Math.floor(random() * 10), delay = Math.floor(random() * 4);
      const node = el('span', { class: `reaction-float lane-${lane} delay-${delay}`, attrs: { 'aria-hidden': 'true' } }, emoji);
      const remove = () => node.remove();
      node.addEventListener('animationend', remove);
      setTimeout(remove, 3000);
      layer.append(node);
      added += 1;
    }
  }
  return added;
}

/** The reaction buttons: each sends `react` (no reply is expected, §9). */
export function reactionBar(container, send) {
  if (!container) return;
  for (const { emoji, label } of REACTIONS) {
    const button = el('button', {
      class: 'reaction-button', attrs: { type: 'button', title: label, 'aria-label': label }, dataset: { emoji },
      on: { click: () => send(emoji) },
    }, emoji);
    container.append(button);
  }
}
