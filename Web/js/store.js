// The client-side state of one page: what the server told us in `welcome`, `update` and
// `ack` frames (PROTOCOL.md §5). Pure logic, no DOM and no sockets, so node can test it.
//
// Every object is keyed by id and applying the same frame twice is harmless.

export const ORDERINGS = Object.freeze(['top', 'hot', 'best', 'new']);

/** Statuses the "up next" list and the room screen leave out. */
const NOT_UP_NEXT = new Set(['onair', 'answered', 'dismissed', 'hidden', 'pending', 'merged']);

/** Statuses a post on the agenda may have. */
const ON_AGENDA = new Set(['shortlisted', 'onair']);

/** Status groups of the host console, in display order. */
export const HOST_GROUPS = Object.freeze([
  'onair', 'shortlisted', 'open', 'answered', 'dismissed', 'hidden', 'pending', 'merged',
]);

/** The fields an update's `counts` may carry for a post. */
const COUNT_FIELDS = Object.freeze(['up', 'down', 'score', 'comments', 'support']);

/** How many review notices (approved / declined) the employee page keeps. */
const REVIEW_NOTICE_LIMIT = 5;

/** How far a chain of merges is followed (a → b → c); merges cannot loop, this is a guard. */
const MERGE_HOPS = 10;

function emptyRanks() {
  return { top: [], hot: [], best: [], new: [] };
}

function sameId(a, b) {
  return a != null && b != null && String(a) === String(b);
}

/** The number in an id like "q12" (0 when there is none), so q10 sorts after q9. */
function idNumber(id) {
  const m = /(\d+)$/.exec(String(id));
  return m ? Number(m[1]) : 0;
}

/** Polls newest first (§9: "newest first, so an open one comes first"). */
export function comparePollsNewest(a, b) {
  return (b.createdAt ?? 0) - (a.createdAt ?? 0) || idNumber(b.id) - idNumber(a.id);
}

function byCreatedThenId(a, b) {
  return (a.createdAt ?? 0) - (b.createdAt ?? 0) || String(a.id).localeCompare(String(b.id));
}

/** `top` of PROTOCOL.md §7: score descending, then earlier createdAt, then id. */
export function compareTop(a, b) {
  return (b.score ?? 0) - (a.score ?? 0) || byCreatedThenId(a, b);
}

/** `new` of PROTOCOL.md §7: createdAt descending, then id. */
export function compareNew(a, b) {
  return (b.createdAt ?? 0) - (a.createdAt ?? 0) || String(a.id).localeCompare(String(b.id));
}

function normalizeTownhall(t) {
  return {
    state: t && t.state === 'live' ? 'live' : 'ended',
    title: (t && t.title) || null,
    stream: (t && t.stream) || null,
    onAir: (t && t.onAir != null) ? (typeof t.onAir === 'object' ? t.onAir.id : t.onAir) : null,
  };
}

export class Store {
  /**
   * @param {{liveCommentLimit?: number, announcementLimit?: number}} options
   */
  constructor(options = {}) {
    this.liveCommentLimit = options.liveCommentLimit ?? 200;
    this.announcementLimit = options.announcementLimit ?? 100;
    this.listeners = new Set();
    this.reset();
  }

  reset() {
    this.user = null;
    this.epoch = null;
    this.seq = 0;
    this.cycle = null;
    this.townhall = normalizeTownhall(null);
    /** @type {Map<string, object>} */
    this.posts = new Map();
    this.ranks = emptyRanks();
    /** @type {Map<string, number>} */
    this.myVotes = new Map();
    /** Live comments (post null), oldest first. */
    this.liveComments = [];
    /** Loaded threads: post id → comments oldest first. Only complete threads live here. */
    this.threads = new Map();
    /** Newest first. */
    this.announcements = [];
    this.presence = { total: 0, offices: {} };
    /** Ids of posts this user made from this page (acks), to mark them "yours". */
    this.myPostIds = new Set();
    /** Staff only: the ordered agenda (ids of shortlisted and on-air posts), as the server keeps it. */
    this.agenda = [];
    /** What the server said about the user's own posts in review, newest first. */
    this.reviewNotices = [];
    /** Past weeks read with `archive`: cycle id → {cycle, posts}. */
    this.archives = new Map();
    /** This cycle's polls (§9), newest first. */
    this.polls = [];
    /** The user's answers: poll id → choices, ascending ([] or absent: no answer). */
    this.myAnswers = new Map();
    /** Merges the updates told of (duplicate id → target id), to follow a question to where it went. */
    this.mergedInto = new Map();
    /** The latest update's `merged` map ({dup: target}), or null: what just moved. */
    this.merges = null;
    /** What the server told the user about their own posts being merged, newest first. */
    this.mergeNotices = [];
    /** Merged posts whose notice the user dismissed, so a later welcome does not bring it back. */
    this.dismissedMerges = new Set();
  }

  /** Calls fn(changes: Set<string>) after every applied frame. Returns an unsubscribe function. */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit(changes) {
    if (changes.size === 0) return;
    for (const fn of this.listeners) fn(changes);
  }

  /** What `hello.resume` needs, or null before the first welcome. */
  resumeInfo() {
    return this.epoch == null ? null : { epoch: this.epoch, seq: this.seq };
  }

  /** Applies a server frame of type welcome, update, review or merged; other types are ignored. */
  applyMessage(msg) {
    if (!msg || typeof msg !== 'object') return;
    if (msg.type === 'welcome') this.applyWelcome(msg);
    else if (msg.type === 'update') this.applyUpdate(msg);
    else if (msg.type === 'review') this.applyReview(msg);
    else if (msg.type === 'merged') this.applyMergedNotice(msg);
  }

  applyWelcome(msg) {
    const changes = new Set(['welcome', 'user', 'cycle', 'townhall', 'presence', 'myVotes']);
    if (msg.user) this.user = msg.user;
    if (msg.epoch != null) this.epoch = msg.epoch;
    if (Number.isFinite(msg.seq)) this.seq = msg.seq;
    if (msg.townhall) this.townhall = normalizeTownhall(msg.townhall);
    if (msg.presence) this.presence = msg.presence;
    if (msg.myVotes) this.myVotes = new Map(Object.entries(msg.myVotes).map(([k, v]) => [k, Number(v)]));
    // A recovered welcome carries myAnswers but not polls: the missed updates bring those.
    if (msg.myAnswers && typeof msg.myAnswers === 'object') {
      this.myAnswers = new Map(Object.entries(msg.myAnswers).map(([k, v]) => [k, normalizeChoices(v)]));
      changes.add('myAnswers');
    }
    if (msg.recovered) {
      // Only the small parts came; the missed updates follow and bring the rest.
      if (msg.cycle) this.#setCycle(msg.cycle, changes, { keepVotes: true });
    } else {
      changes.add('full');
      this.cycle = msg.cycle ?? null;
      this.posts = new Map();
      for (const post of msg.posts ?? []) if (post && post.id != null) this.posts.set(String(post.id), post);
      this.ranks = emptyRanks();
      this.#setRanks(msg.ranks);
      this.liveComments = [];
      this.threads = new Map();
      this.#addComments(msg.comments ?? []);
      this.announcements = [];
      this.#addAnnouncements(msg.announcements ?? []);
      this.agenda = Array.isArray(msg.agenda) ? msg.agenda.map(String) : [];
      this.polls = [];
      this.#upsertPolls(msg.polls ?? []);
      // Staff are sent merged posts: where each went is on the post itself.
      this.mergedInto = new Map();
      for (const post of this.posts.values()) this.#noteMerge(post);
      if (!this.isStaff) this.#mergeNoticesFromWelcome();
      for (const c of ['posts', 'ranks', 'comments', 'threads', 'announcements', 'agenda', 'polls', 'myAnswers', 'mergeNotice']) changes.add(c);
    }
    this.emit(changes);
  }

  applyUpdate(msg) {
    const changes = new Set(['update']);
    if (Number.isFinite(msg.seq)) this.seq = msg.seq;
    // The cycle first: a new cycle drops the old one's posts before the new ones arrive.
    if (msg.cycle) this.#setCycle(msg.cycle, changes);
    if (msg.townhall) {
      this.townhall = normalizeTownhall(msg.townhall);
      changes.add('townhall');
    }
    if (Array.isArray(msg.posts) && msg.posts.length) {
      for (const post of msg.posts) this.#upsertPost(post);
      changes.add('posts');
    }
    if (msg.counts && typeof msg.counts === 'object' && this.#applyCounts(msg.counts)) changes.add('posts');
    if (Array.isArray(msg.removed) && msg.removed.length) {
      for (const id of msg.removed) this.#removePost(id);
      changes.add('posts');
      changes.add('ranks');
      changes.add('threads');
    }
    if (msg.ranks) {
      this.#setRanks(msg.ranks);
      changes.add('ranks');
    }
    if (Array.isArray(msg.agenda)) {
      this.agenda = msg.agenda.map(String);
      changes.add('agenda');
    }
    if (Array.isArray(msg.comments) && msg.comments.length) {
      for (const c of this.#addComments(msg.comments)) changes.add(c);
    }
    if (Array.isArray(msg.removedComments) && msg.removedComments.length) {
      for (const c of this.#removeComments(msg.removedComments)) changes.add(c);
    }
    if (Array.isArray(msg.announcements) && msg.announcements.length) {
      if (this.#addAnnouncements(msg.announcements)) changes.add('announcements');
    }
    if (Array.isArray(msg.removedAnnouncements) && msg.removedAnnouncements.length) {
      const gone = new Set(msg.removedAnnouncements.map(String));
      const kept = this.announcements.filter((a) => !gone.has(String(a.id)));
      if (kept.length !== this.announcements.length) {
        this.announcements = kept;
        changes.add('announcements');
      }
    }
    if (msg.presence) {
      this.presence = msg.presence;
      changes.add('presence');
    }
    if (Array.isArray(msg.polls) && msg.polls.length) {
      this.#upsertPolls(msg.polls);
      changes.add('polls');
    }
    // Like reactions, `merged` is news of this update (what moved where); the lasting part
    // (each duplicate's status and mergedInto) comes in posts and removed.
    this.merges = null;
    if (msg.merged && typeof msg.merged === 'object' && Object.keys(msg.merged).length) {
      this.merges = {};
      for (const [dup, target] of Object.entries(msg.merged)) {
        if (target == null) continue;
        this.merges[String(dup)] = String(target);
        this.mergedInto.set(String(dup), String(target));
      }
      changes.add('merged');
    }
    // Reactions are not state: the counts of this update only, for a burst (§9).
    this.reactions = msg.reactions && typeof msg.reactions === 'object' ? msg.reactions : null;
    if (this.reactions) changes.add('reactions');
    this.emit(changes);
  }

  /**
   * A moderator approved or declined one of the user's posts in review
   * (`{type: "review", post, approved, reason}`): the post moves out of "waiting for review"
   * (into the public list, or away when it was hidden) and a notice is kept to show.
   */
  applyReview(msg) {
    const post = msg.post && typeof msg.post === 'object' ? msg.post : null;
    const id = post ? post.id : msg.post;
    if (id == null) return;
    const changes = new Set(['review']);
    if (post && post.status !== 'hidden') {
      this.#upsertPost(post);
      changes.add('posts');
    } else if (msg.approved !== true) {
      this.#removePost(id);
      for (const c of ['posts', 'ranks', 'threads']) changes.add(c);
    }
    const notice = {
      post: String(id),
      approved: msg.approved === true,
      reason: typeof msg.reason === 'string' && msg.reason.trim() ? msg.reason : null,
      text: post ? post.text : (this.posts.get(String(id))?.text ?? null),
    };
    this.reviewNotices = [notice, ...this.reviewNotices.filter((n) => n.post !== notice.post)]
      .slice(0, REVIEW_NOTICE_LIMIT);
    this.emit(changes);
  }

  /** Forgets a review notice the user has read. */
  dismissReview(postId) {
    const before = this.reviewNotices.length;
    this.reviewNotices = this.reviewNotices.filter((n) => n.post !== String(postId));
    if (this.reviewNotices.length !== before) this.emit(new Set(['review']));
  }

  /**
   * One of the user's own posts was merged into another (`{type: "merged", post, into}`,
   * docs/PROTOCOL-NOTES.md), or split off again (`into` null): a notice to show. The
   * duplicate itself leaves the lists through `removed`; a split-off post comes back.
   */
  applyMergedNotice(msg) {
    const post = msg.post && typeof msg.post === 'object' ? msg.post : null;
    const id = post ? post.id : msg.post;
    if (id == null) return;
    const into = msg.into && typeof msg.into === 'object' ? msg.into : null;
    const changes = new Set(['mergeNotice']);
    if (into && into.id != null) {
      this.#upsertPost(into);
      this.mergedInto.set(String(id), String(into.id));
      changes.add('posts');
    } else {
      this.mergedInto.delete(String(id));
      if (post && post.status !== 'merged') {
        this.#upsertPost(post);
        changes.add('posts');
      }
    }
    const notice = {
      post: String(id),
      text: post ? post.text : (this.posts.get(String(id))?.text ?? null),
      into: into ? { id: String(into.id), text: into.text ?? null } : null,
    };
    this.mergeNotices = [notice, ...this.mergeNotices.filter((n) => n.post !== notice.post)]
      .slice(0, REVIEW_NOTICE_LIMIT);
    this.emit(changes);
  }

  /**
   * An employee's welcome holds their own merged questions (docs/PROTOCOL-NOTES.md): the
   * notices are built from them, so an author who was away when the merge happened is told
   * on their next visit.
   */
  #mergeNoticesFromWelcome() {
    const merged = [...this.posts.values()]
      .filter((p) => p.status === 'merged' && p.mergedInto != null && !this.dismissedMerges.has(String(p.id)))
      .sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
    this.mergeNotices = merged.slice(0, REVIEW_NOTICE_LIMIT).map((p) => {
      const into = String(p.mergedInto);
      return { post: String(p.id), text: p.text ?? null, into: { id: into, text: this.posts.get(into)?.text ?? null } };
    });
  }

  /** Forgets a merge notice the user has read. */
  dismissMergeNotice(postId) {
    this.dismissedMerges.add(String(postId));
    const before = this.mergeNotices.length;
    this.mergeNotices = this.mergeNotices.filter((n) => n.post !== String(postId));
    if (this.mergeNotices.length !== before) this.emit(new Set(['mergeNotice']));
  }

  /**
   * Applies the reply to one of our own requests. `request` is the frame we sent.
   * Acks may carry objects (a post, a comment...) or just ids; both are handled.
   */
  applyAck(request, ack) {
    if (!request || !ack || ack.type !== 'ack') return;
    const changes = new Set(['ack']);
    const postObject = ack.post && typeof ack.post === 'object' ? ack.post : null;
    if (postObject && postObject.id != null) {
      this.#upsertPost(postObject);
      changes.add('posts');
    }
    switch (request.type) {
      case 'post':
        if (postObject) this.myPostIds.add(String(postObject.id));
        break;
      case 'vote': {
        const id = postObject ? postObject.id : (ack.post ?? request.post);
        const value = Number(ack.value ?? request.value);
        if (id != null && [1, -1, 0].includes(value)) {
          this.myVotes.set(String(id), value);
          changes.add('myVotes');
        }
        break;
      }
      case 'comment':
        if (ack.comment) for (const c of this.#addComments([ack.comment])) changes.add(c);
        break;
      case 'thread': {
        const id = String(postObject ? postObject.id : (ack.post ?? request.post));
        const known = this.threads.get(id) ?? [];
        this.threads.set(id, mergeById(known, ack.comments ?? [], byCreatedThenId));
        changes.add('threads');
        break;
      }
      case 'announce':
        if (ack.announcement && this.#addAnnouncements([ack.announcement])) changes.add('announcements');
        break;
      case 'cycle':
        if (ack.cycle) this.#setCycle(ack.cycle, changes);
        break;
      case 'agenda': {
        // "Those posts go first, in that order": the rest keep theirs after them.
        if (!Array.isArray(request.posts)) break;
        const first = request.posts.map(String);
        const sent = new Set(first);
        this.agenda = [...first, ...this.agenda.filter((x) => !sent.has(x))];
        changes.add('agenda');
        break;
      }
      case 'archive': {
        const cycle = ack.cycle && typeof ack.cycle === 'object' ? ack.cycle : { id: ack.cycle ?? request.cycle };
        if (cycle.id == null) break;
        // Pages after the first (`after` > 0) add to what the earlier pages brought.
        const page = Array.isArray(ack.posts) ? ack.posts : [];
        const earlier = Number(request.after) > 0 ? (this.archives.get(String(cycle.id))?.posts ?? []) : [];
        const seen = new Set(earlier.map((p) => String(p.id)));
        this.archives.set(String(cycle.id), { cycle, posts: [...earlier, ...page.filter((p) => !seen.has(String(p.id)))] });
        changes.add('archive');
        break;
      }
      case 'poll':
        if (ack.poll && typeof ack.poll === 'object') {
          this.#upsertPolls([ack.poll]);
          changes.add('polls');
        }
        break;
      case 'answer': {
        // A poll answer (it names a `poll`); the written follow-up to a post names a `post`.
        if (request.poll == null) break;
        const poll = ack.poll && typeof ack.poll === 'object' ? ack.poll : null;
        if (poll) {
          this.#upsertPolls([poll]);
          changes.add('polls');
        }
        const pollId = String(poll ? poll.id : (typeof ack.poll === 'string' ? ack.poll : request.poll));
        this.myAnswers.set(pollId, normalizeChoices(ack.choices ?? request.choices));
        changes.add('myAnswers');
        break;
      }
      case 'townhall':
        if (ack.townhall) {
          this.townhall = normalizeTownhall(ack.townhall);
          changes.add('townhall');
        }
        break;
      default:
        break;
    }
    this.emit(changes);
  }

  // ---- selectors ----

  get isStaff() {
    return !!this.user && (this.user.role === 'host' || this.user.role === 'moderator');
  }

  get isHost() {
    return !!this.user && this.user.role === 'host';
  }

  post(id) {
    return id == null ? undefined : this.posts.get(String(id));
  }

  /** The user's own vote on a post: 1, -1 or 0. */
  myVote(id) {
    return this.myVotes.get(String(id)) ?? 0;
  }

  inCycle(post) {
    return !this.cycle || post.cycle == null || sameId(post.cycle, this.cycle.id);
  }

  /** Posts of one ordering, as ranked by the server. */
  rankedPosts(ordering = 'top') {
    const ids = this.ranks[ordering] ?? [];
    const out = [];
    for (const id of ids) {
      const post = this.posts.get(String(id));
      if (post && this.inCycle(post)) out.push(post);
    }
    return out;
  }

  /** The post being answered now (townhall.onAir, or any post whose status is onair). */
  onAirPost() {
    const byId = this.post(this.townhall.onAir);
    if (byId && this.inCycle(byId)) return byId;
    for (const post of this.posts.values()) if (post.status === 'onair' && this.inCycle(post)) return post;
    return null;
  }

  /** The next questions by `top`, leaving out the on-air one and answered/dismissed ones. */
  upNext(limit = 5) {
    const onAir = this.onAirPost();
    return this.rankedPosts('top')
      .filter((p) => !NOT_UP_NEXT.has(p.status) && !(onAir && sameId(p.id, onAir.id)))
      .slice(0, limit);
  }

  /** The user's own posts waiting for review (employees only see their own pending posts). */
  pendingOwnPosts() {
    return [...this.posts.values()]
      .filter((p) => p.status === 'pending' && this.inCycle(p))
      .sort(compareNew);
  }

  /**
   * Every known post of the cycle grouped by status (host console): the ranked ones in the
   * server's order first, then any other known post (e.g. beyond the top 100).
   */
  groupedPosts(ordering = 'top', agendaOrder = this.agenda) {
    const groups = Object.fromEntries(HOST_GROUPS.map((g) => [g, []]));
    const seen = new Set();
    const place = (post) => {
      seen.add(String(post.id));
      (groups[post.status] ?? groups.open).push(post);
    };
    // Shortlisted posts are the agenda: in its order, whatever the chosen ordering.
    for (const post of this.agendaPosts(agendaOrder)) place(post);
    for (const post of this.rankedPosts(ordering)) if (!seen.has(String(post.id))) place(post);
    const rest = [...this.posts.values()]
      .filter((p) => !seen.has(String(p.id)) && this.inCycle(p))
      .sort(ordering === 'new' ? compareNew : compareTop);
    for (const post of rest) place(post);
    return groups;
  }

  /**
   * The agenda as it stands: the ids of this week's shortlisted and on-air posts in the
   * server's order (or in `order`, a reordering on its way), then shortlisted posts the
   * agenda does not name yet, by `top`.
   */
  agendaIds(order = this.agenda) {
    const out = [];
    const seen = new Set();
    for (const raw of order ?? []) {
      const id = String(raw);
      const post = this.posts.get(id);
      if (seen.has(id) || !post || !this.inCycle(post) || !ON_AGENDA.has(post.status)) continue;
      seen.add(id);
      out.push(id);
    }
    const rest = [...this.posts.values()]
      .filter((p) => p.status === 'shortlisted' && !seen.has(String(p.id)) && this.inCycle(p))
      .sort(compareTop);
    for (const p of rest) out.push(String(p.id));
    return out;
  }

  /** The shortlisted posts in agenda order (the host's running order for the townhall). */
  agendaPosts(order = this.agenda) {
    return this.agendaIds(order).map((id) => this.posts.get(id)).filter((p) => p.status === 'shortlisted');
  }

  /** This cycle's polls, newest first. */
  cyclePolls() {
    return this.polls.filter((p) => this.inCycle(p));
  }

  poll(id) {
    return id == null ? undefined : this.polls.find((p) => sameId(p.id, id));
  }

  /** The user's choices on a poll, ascending ([] when they have not answered). */
  myAnswer(pollId) {
    return this.myAnswers.get(String(pollId)) ?? [];
  }

  /**
   * Where a question went: the id itself, or the post it was merged into (following a
   * chain of merges), by what the posts and the updates' `merged` maps said.
   */
  followMerge(id) {
    let at = id == null ? null : String(id);
    for (let hop = 0; at != null && hop < MERGE_HOPS; hop += 1) {
      const post = this.posts.get(at);
      if (post && post.status !== 'merged') break;
      const next = post?.mergedInto != null ? String(post.mergedInto) : this.mergedInto.get(at);
      if (next == null || next === at) break;
      at = next;
    }
    return at;
  }

  /** A past week read with `archive`: {cycle, posts}, or undefined. */
  archive(cycleId) {
    return this.archives.get(String(cycleId));
  }

  /** Ids of the weeks before this one (newest first): 1 … current − 1. */
  pastCycleIds() {
    const current = Number(this.cycle?.id);
    if (!Number.isInteger(current) || current < 2) return [];
    return Array.from({ length: current - 1 }, (_, i) => current - 1 - i);
  }

  /** The latest live comments, oldest first. */
  latestLiveComments(limit = this.liveCommentLimit) {
    return this.liveComments.slice(-limit);
  }

  /** A loaded thread (oldest first), or undefined when it was never loaded. */
  thread(postId) {
    return this.threads.get(String(postId));
  }

  // ---- internals ----

  /**
   * Lays an update's `counts` ({id: {up, down, score, comments, support?}}, docs/PROTOCOL-NOTES.md,
   * Posts as counts) over the posts held; the server sends counts only for posts every
   * client holds. Returns whether a post changed.
   */
  #applyCounts(counts) {
    let changed = false;
    for (const [id, fields] of Object.entries(counts)) {
      const post = this.posts.get(String(id));
      if (!post || !fields || typeof fields !== 'object') continue;
      const next = { ...post };
      for (const key of COUNT_FIELDS) if (key in fields) next[key] = fields[key];
      this.posts.set(String(id), next);
      changed = true;
    }
    return changed;
  }

  #upsertPost(post) {
    if (!post || post.id == null) return;
    this.posts.set(String(post.id), post);
    this.#noteMerge(post);
  }

  /** Keeps mergedInto in step with a post's own word: merged (and where), or back on its own. */
  #noteMerge(post) {
    const key = String(post.id);
    if (post.status === 'merged' && post.mergedInto != null) this.mergedInto.set(key, String(post.mergedInto));
    else if (post.status != null && post.status !== 'merged') this.mergedInto.delete(key);
  }

  /** Replaces polls by id, keeping the list newest first. */
  #upsertPolls(polls) {
    const byId = new Map(this.polls.map((p) => [String(p.id), p]));
    for (const poll of polls) if (poll && poll.id != null) byId.set(String(poll.id), poll);
    this.polls = [...byId.values()].sort(comparePollsNewest);
  }

  #removePost(id) {
    const key = String(id);
    this.posts.delete(key);
    this.threads.delete(key);
    for (const ordering of Object.keys(this.ranks)) {
      const list = this.ranks[ordering];
      if (list.some((x) => String(x) === key)) this.ranks[ordering] = list.filter((x) => String(x) !== key);
    }
  }

  #setRanks(ranks) {
    if (!ranks || typeof ranks !== 'object') return;
    // Replace each ordering that came; an update may carry only the changed ones.
    for (const [ordering, ids] of Object.entries(ranks)) {
      if (Array.isArray(ids)) this.ranks[ordering] = ids.map(String);
    }
  }

  #setCycle(cycle, changes, { keepVotes = false } = {}) {
    const changed = !this.cycle || !sameId(this.cycle.id, cycle.id);
    this.cycle = cycle;
    changes.add('cycle');
    if (!changed) return;
    // A new week: the old posts left the rankings, and votes were per cycle.
    for (const [id, post] of this.posts) if (!this.inCycle(post)) this.posts.delete(id);
    this.ranks = emptyRanks();
    this.threads = new Map();
    // Polls belong to their cycle (closing it closed its open poll), and so do answers.
    this.polls = this.polls.filter((p) => this.inCycle(p));
    if (!keepVotes) {
      this.myVotes = new Map();
      const kept = new Set(this.polls.map((p) => String(p.id)));
      this.myAnswers = new Map([...this.myAnswers].filter(([id]) => kept.has(id)));
    }
    for (const c of ['posts', 'ranks', 'threads', 'myVotes', 'polls', 'myAnswers']) changes.add(c);
  }

  /** Adds comments (deduped by id); returns the change names it caused. */
  #addComments(comments) {
    const changes = new Set();
    const live = [];
    for (const c of comments) {
      if (!c || c.id == null) continue;
      if (c.post == null) {
        live.push(c);
        continue;
      }
      const key = String(c.post);
      const thread = this.threads.get(key);
      // An unloaded thread stays unloaded: a partial list would look complete.
      if (!thread) continue;
      const merged = mergeById(thread, [c], byCreatedThenId);
      if (merged !== thread) {
        this.threads.set(key, merged);
        changes.add('threads');
      }
    }
    if (live.length) {
      const merged = mergeById(this.liveComments, live, byCreatedThenId);
      if (merged !== this.liveComments) {
        this.liveComments = merged.slice(-this.liveCommentLimit);
        changes.add('comments');
      }
    }
    return changes;
  }

  /** Drops erased comments (a privacy request) from the live stream and loaded threads. */
  #removeComments(ids) {
    const changes = new Set();
    const gone = new Set(ids.map(String));
    const live = this.liveComments.filter((c) => !gone.has(String(c.id)));
    if (live.length !== this.liveComments.length) {
      this.liveComments = live;
      changes.add('comments');
    }
    for (const [key, thread] of this.threads) {
      const kept = thread.filter((c) => !gone.has(String(c.id)));
      if (kept.length !== thread.length) {
        this.threads.set(key, kept);
        changes.add('threads');
      }
    }
    return changes;
  }

  /** Adds announcements (deduped by id), keeps newest first; true when something was new. */
  #addAnnouncements(items) {
    const merged = mergeById(this.announcements, items, (a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
    if (merged === this.announcements) return false;
    this.announcements = merged.slice(0, this.announcementLimit);
    return true;
  }
}

/** A poll answer's choices as the server gives them back: distinct integers, ascending. */
export function normalizeChoices(choices) {
  if (!Array.isArray(choices)) return [];
  return [...new Set(choices.map(Number).filter(Number.isInteger))].sort((a, b) => a - b);
}

/**
 * Merges `incoming` into `list` by id (an incoming object replaces a known one with the
 * same id), sorted stably by `compare`. Returns `list` itself when nothing changed.
 */
export function mergeById(list, incoming, compare) {
  const index = new Map(list.map((item, i) => [String(item.id), i]));
  let out = null;
  for (const item of incoming) {
    if (!item || item.id == null) continue;
    const key = String(item.id);
    const at = index.get(key);
    if (at !== undefined) {
      const current = (out ?? list)[at];
      if (current === item || JSON.stringify(current) === JSON.stringify(item)) continue;
      out ??= list.slice();
      out[at] = item;
    } else {
      out ??= list.slice();
      index.set(key, out.length);
      out.push(item);
    }
  }
  if (!out) return list;
  return out.sort(compare);
}

/**
 * Moves `id` one place up (delta −1) or down (+1) in `ids`; a new array, or null when it
 * cannot move (not there, or already first / last).
 */
export function moveInList(ids, id, delta) {
  const list = ids.map(String);
  const i = list.indexOf(String(id));
  const j = i + delta;
  if (i < 0 || j < 0 || j >= list.length) return null;
  [list[i], list[j]] = [list[j], list[i]];
  return list;
}

/**
 * The full agenda to send after moving a shortlisted post: `agenda` is the whole order
 * (shortlisted and on-air ids), `shortlisted` the shortlisted ids in that order. The moved
 * post swaps places with its shortlisted neighbour; an on-air post keeps its slot.
 * Null when the post cannot move that way.
 */
export function agendaMove(agenda, shortlisted, id, delta) {
  const moved = moveInList(shortlisted, id, delta);
  if (!moved) return null;
  const slots = new Set(moved);
  const queue = [...moved];
  const out = [];
  for (const raw of agenda) {
    const x = String(raw);
    if (slots.has(x)) {
      if (queue.length) out.push(queue.shift());
    } else if (!out.includes(x)) {
      out.push(x);
    }
  }
  return [...out, ...queue];
}
