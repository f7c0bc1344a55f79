// The meeting-room screen (/screen): read-only, large type, readable from the back of the
// room. The question on air, the next five by votes, the latest live comments, presence,
// and the open (or just-closed) poll as big bars that grow with its counts.

import { startPage } from './page.js';
import { burst } from './reactions.js';
import { featuredPoll, fillPollHead, renderPollResults } from './polls.js';
import { authorLabel, formatNumber, textLength } from './format.js';
import { el, reconcile, renderComments, setText, show, transition } from './render.js';

const $ = (id) => document.getElementById(id);

function main() {
  const page = startPage({ render, minInterval: 250, pairing: true });
  if (!page) return;
  const { store } = page;
  store.subscribe((changes) => {
    if (changes.has('reactions')) burst($('reaction-layer'), store.reactions);
  });

  function render() {
    const t = store.townhall;
    const live = t.state === 'live';
    setText($('live-badge'), live ? 'Live now' : 'Not live');
    $('live-badge').dataset.live = live ? 'true' : 'false';
    setText($('townhall-heading'), t.title || 'Townhall');

    const post = store.onAirPost();
    show($('on-air-question'), !!post);
    show($('on-air-empty'), !post);
    setText($('on-air-empty'), live ? 'Waiting for the next question…' : 'The townhall has not started yet.');
    if (post) {
      setText($('on-air-text'), post.text);
      // Long questions get smaller type so the whole question and its votes fit the screen.
      $('on-air-text').dataset.length = textLength(post.text);
      setText($('on-air-author'), authorLabel(post));
      setText($('on-air-up'), formatNumber(post.up ?? 0));
      setText($('on-air-down'), formatNumber(post.down ?? 0));
    }

    renderPoll();

    const next = store.upNext(5);
    transition([$('up-next-list')], () => {
      reconcile($('up-next-list'), next, {
        key: (p) => p.id,
        create: (p) => el('li', { class: 'screen-post', dataset: { postId: p.id } },
          // A bare number beside a list reads as a rank: say it is the score.
          el('p', { class: 'score-box' },
            el('span', { class: 'score' }),
            el('span', { class: 'score-label', text: 'votes' })),
          el('div', { class: 'screen-post-body' },
            el('p', { class: 'post-text' }),
            el('p', { class: 'post-meta' },
              el('span', { class: 'post-author' }),
              el('span', { class: 'status' })))),
        update: (node, p) => {
          setText(node.querySelector('.score'), formatNumber(p.score ?? (p.up ?? 0) - (p.down ?? 0)));
          setText(node.querySelector('.post-text'), p.text);
          setText(node.querySelector('.post-author'), authorLabel(p));
          const badge = node.querySelector('.status');
          setText(badge, p.status === 'shortlisted' ? 'shortlisted' : '');
          badge.dataset.status = p.status ?? '';
        },
      });
    });
    show($('up-next-empty'), next.length === 0);

    // Newest first: the stylesheet stacks them upwards from the bottom and drops, whole,
    // the oldest that do not fit.
    const comments = store.latestLiveComments(12).reverse();
    renderComments($('live-comment-list'), comments);
    show($('live-comments-empty'), comments.length === 0);
  }

  /** The poll beside the question on air; the layout makes room for it only while it shows. */
  function renderPoll() {
    const poll = featuredPoll(store.cyclePolls());
    show($('poll'), !!poll);
    $('screen').dataset.poll = poll ? 'true' : 'false';
    if (!poll) return;
    // Many options: smaller type, so all of them fit the column.
    $('poll').dataset.many = (poll.options?.length ?? 0) > 6 ? 'true' : 'false';
    fillPollHead($('poll'), poll);
    renderPollResults($('poll-results'), poll);
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main);
else main();
