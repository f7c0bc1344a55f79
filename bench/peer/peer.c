/*
 * peer: a minimal libwebsockets broadcaster speaking a subset of the Townhall
 * wire protocol (townhall.v1), used as a yardstick for the real server's
 * fan-out cost.  See README.md beside this file for what it does not do.
 *
 *   peer --port P [--tick-ms 100] [--posts 20] [--poll]
 *
 * --poll skips lws' libev loop (epoll) and uses its default poll(2) loop.
 *
 * Single-threaded.  One update frame is built per tick and the same bytes are
 * queued (by pointer, refcounted) on every welcomed connection.
 */
#define _GNU_SOURCE
#include <libwebsockets.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define QCAP      256            /* frames queued per connection, at most */
#define MAX_IN    (16 * 1024)    /* largest client frame accepted */
#define MAX_RANKS 100            /* ids per ranks list */
#define CLOSE_SLOW 4009

/* ---------------------------------------------------------------- buffers */

struct sbuf {
	char *b;
	size_t len, cap;
};

static void
oom(void)
{
	fputs("peer: out of memory\n", stderr);
	exit(2);
}

static void
sb_grow(struct sbuf *s, size_t more)
{
	size_t want = s->len + more;

	if (want <= s->cap)
		return;
	size_t cap = s->cap ? s->cap : 1024;
	while (cap < want)
		cap *= 2;
	char *nb = realloc(s->b, cap);
	if (!nb)
		oom();
	s->b = nb;
	s->cap = cap;
}

static inline void
sb_put(struct sbuf *s, const void *p, size_t n)
{
	sb_grow(s, n);
	memcpy(s->b + s->len, p, n);
	s->len += n;
}

#define SB_LIT(s, lit) sb_put((s), (lit), sizeof(lit) - 1)

static inline void
sb_chr(struct sbuf *s, char c)
{
	sb_grow(s, 1);
	s->b[s->len++] = c;
}

static void
sb_i64(struct sbuf *s, long long v)
{
	char tmp[24], *p = tmp + sizeof tmp;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v
				     : (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	sb_put(s, p, (size_t)(tmp + sizeof tmp - p));
}

/*
 * Append the body of a JSON string taken raw from a (valid) client frame: its
 * escapes are kept as they are, and anything that would make the output
 * invalid (a bare control character, a bare quote or a trailing lone
 * backslash) is escaped.
 */
static void
sb_json_body(struct sbuf *s, const char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;

	sb_grow(s, n);
	while (i < n) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\\') {
			if (i + 1 < n) {
				sb_put(s, p + i, 2);
				i += 2;
			} else {
				SB_LIT(s, "\\\\");
				i++;
			}
			continue;
		}
		if (c == '"') {
			SB_LIT(s, "\\\"");
		} else if (c < 0x20) {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			sb_put(s, e, 6);
		} else
			sb_chr(s, (char)c);
		i++;
	}
}

/* A frame shared by every connection it is queued on. */
struct msg {
	uint32_t refs;
	uint32_t len;
	unsigned char data[];	/* LWS_PRE headroom, then len bytes */
};

static struct msg *
msg_new(const struct sbuf *s)
{
	struct msg *m = malloc(sizeof(*m) + LWS_PRE + s->len);

	if (!m)
		oom();
	m->refs = 0;
	m->len = (uint32_t)s->len;
	memcpy(m->data + LWS_PRE, s->b, s->len);
	return m;
}

static inline void
msg_unref(struct msg *m)
{
	if (!--m->refs)
		free(m);
}

/* ------------------------------------------------------------------ state */

struct post {
	long long up, down;
};

struct span {
	size_t off, len;
};

struct pss {
	struct pss *next, **pprev;	/* on the welcomed list while linked */
	struct lws *wsi;
	char *rx;			/* only while a frame arrives in pieces */
	size_t rxlen;
	uint16_t qhead, qcount;
	unsigned char welcomed, killed, established, healthz;
	struct msg *q[QCAP];
	int8_t votes[];			/* one per post */
};

static struct {
	struct lws_context *ctx;
	int port, tick_ms, nposts;
	struct post *posts;
	int *changed;			/* indices of changed posts */
	unsigned char *is_changed;
	int nchanged;
	int *order;			/* scratch for ranks */
	struct sbuf ranks;		/* cached `"ranks":{...}` */
	int ranks_dirty;
	struct sbuf anns, coms;		/* rendered objects pending */
	struct span *ann_spans, *com_spans;
	int nann, ncom, cap_ann, cap_com;
	long long next_ann, next_com;
	long long seq;
	struct pss *clients;		/* welcomed, live */
	int nclients;
	struct sbuf out;		/* scratch for building frames */
	lws_sorted_usec_list_t tick;
	lws_usec_t tick_due;
	int use_libev;
} g;

static volatile sig_atomic_t interrupted;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ posts */

static void
put_post(struct sbuf *s, int i)
{
	const struct post *p = &g.posts[i];

	SB_LIT(s, "{\"id\":\"p");
	sb_i64(s, i + 1);
	SB_LIT(s, "\",\"cycle\":\"c1\",\"text\":\"post ");
	sb_i64(s, i + 1);
	SB_LIT(s, "\",\"author\":null,\"office\":\"o\",\"createdAt\":0,\"up\":");
	sb_i64(s, p->up);
	SB_LIT(s, ",\"down\":");
	sb_i64(s, p->down);
	SB_LIT(s, ",\"score\":");
	sb_i64(s, p->up - p->down);
	SB_LIT(s, ",\"comments\":0,\"status\":\"open\"}");
}

static int
cmp_rank(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	long long sx = g.posts[x].up - g.posts[x].down,
		  sy = g.posts[y].up - g.posts[y].down;

	if (sx != sy)
		return sx > sy ? -1 : 1;
	return x - y;
}

static void
put_id_list(struct sbuf *s, const int *idx, int n)
{
	sb_chr(s, '[');
	for (int i = 0; i < n; i++) {
		if (i)
			sb_chr(s, ',');
		SB_LIT(s, "\"p");
		sb_i64(s, idx[i] + 1);
		sb_chr(s, '"');
	}
	sb_chr(s, ']');
}

/* Appends `"ranks":{...}`, rebuilt only when a post changed since. */
static void
put_ranks(struct sbuf *s)
{
	if (g.ranks_dirty) {
		struct sbuf *r = &g.ranks;
		int n = g.nposts < MAX_RANKS ? g.nposts : MAX_RANKS;
		size_t a, b;

		for (int i = 0; i < g.nposts; i++)
			g.order[i] = i;
		qsort(g.order, (size_t)g.nposts, sizeof(int), cmp_rank);

		r->len = 0;
		SB_LIT(r, "\"ranks\":{\"top\":");
		a = r->len;
		put_id_list(r, g.order, n);
		b = r->len;
		SB_LIT(r, ",\"hot\":");
		sb_grow(r, b - a);
		sb_put(r, r->b + a, b - a);
		SB_LIT(r, ",\"best\":");
		sb_grow(r, b - a);
		sb_put(r, r->b + a, b - a);
		SB_LIT(r, ",\"new\":");
		for (int i = 0; i < n; i++)
			g.order[i] = g.nposts - 1 - i;
		put_id_list(r, g.order, n);
		sb_chr(r, '}');
		g.ranks_dirty = 0;
	}
	sb_put(s, g.ranks.b, g.ranks.len);
}

static void
mark_changed(int i)
{
	if (!g.is_changed[i]) {
		g.is_changed[i] = 1;
		g.changed[g.nchanged++] = i;
	}
	g.ranks_dirty = 1;
}

static struct span *
push_span(struct span **arr, int *n, int *cap, size_t off, size_t len)
{
	if (*n == *cap) {
		int nc = *cap ? *cap * 2 : 64;
		struct span *na = realloc(*arr, (size_t)nc * sizeof(**arr));

		if (!na)
			oom();
		*arr = na;
		*cap = nc;
	}
	(*arr)[*n].off = off;
	(*arr)[*n].len = len;
	return &(*arr)[(*n)++];
}

/* ------------------------------------------------------------- connection */

static void
unlink_client(struct pss *pss)
{
	if (!pss->pprev)
		return;
	*pss->pprev = pss->next;
	if (pss->next)
		pss->next->pprev = pss->pprev;
	pss->next = NULL;
	pss->pprev = NULL;
	g.nclients--;
}

static void
kill_client(struct pss *pss)
{
	if (pss->killed)
		return;
	pss->killed = 1;
	unlink_client(pss);
	lws_callback_on_writable(pss->wsi);
	/* if the peer never drains, do not wait for a writeable forever */
	lws_set_timeout(pss->wsi, PENDING_TIMEOUT_LAGGING, 5);
}

static void
enqueue(struct pss *pss, struct msg *m)
{
	if (pss->killed)
		return;
	if (pss->qcount == QCAP) {
		kill_client(pss);
		return;
	}
	pss->q[(pss->qhead + pss->qcount) % QCAP] = m;
	m->refs++;
	if (!pss->qcount++)
		lws_callback_on_writable(pss->wsi);
}

/* Queue what was built in g.out on this connection alone. */
static void
reply(struct pss *pss)
{
	struct msg *m = msg_new(&g.out);

	m->refs = 1;		/* ours, until queued */
	enqueue(pss, m);
	msg_unref(m);
}

/* ---------------------------------------------------------------- parsing */

struct tok {
	const char *p;		/* raw token; strings include their quotes */
	size_t n;
};

static inline int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The value of top-level-ish key `key` in a flat JSON object, raw. */
static int
jget(const char *s, size_t n, const char *key, struct tok *t)
{
	size_t kl = strlen(key);
	const char *e = s + n, *p = s;

	while (p < e) {
		const char *q = memchr(p, '"', (size_t)(e - p));

		if (!q || (size_t)(e - q) < kl + 2)
			return 0;
		p = q + 1;
		if (memcmp(p, key, kl) || p[kl] != '"')
			continue;
		const char *v = p + kl + 1;
		while (v < e && is_ws(*v))
			v++;
		if (v >= e || *v != ':')
			continue;
		v++;
		while (v < e && is_ws(*v))
			v++;
		if (v >= e)
			return 0;
		const char *w = v;
		if (*w == '"') {
			w++;
			while (w < e && *w != '"')
				w += (*w == '\\') ? 2 : 1;
			if (w >= e)
				return 0;
			w++;
		} else if (*w == '{' || *w == '[') {
			return 0;	/* not a scalar: not for us */
		} else {
			while (w < e && *w != ',' && *w != '}' && *w != ']' &&
			       !is_ws(*w))
				w++;
		}
		t->p = v;
		t->n = (size_t)(w - v);
		return t->n > 0;
	}
	return 0;
}

static inline int
tok_is_str(const struct tok *t)
{
	return t->n >= 2 && t->p[0] == '"';
}

static inline int
tok_eq(const struct tok *t, const char *lit)
{
	size_t l = strlen(lit);

	return tok_is_str(t) && t->n == l + 2 && !memcmp(t->p + 1, lit, l);
}

/* ---------------------------------------------------------------- replies */

static void
begin(const char *type_lit, size_t tl, const struct tok *id)
{
	g.out.len = 0;
	SB_LIT(&g.out, "{\"type\":\"");
	sb_put(&g.out, type_lit, tl);
	sb_chr(&g.out, '"');
	if (id) {
		SB_LIT(&g.out, ",\"id\":");
		sb_put(&g.out, id->p, id->n);
	}
}
#define BEGIN(lit, id) begin((lit), sizeof(lit) - 1, (id))

static void
send_error(struct pss *pss, const struct tok *id, const char *code,
	   const char *message)
{
	BEGIN("error", id);
	SB_LIT(&g.out, ",\"code\":\"");
	sb_put(&g.out, code, strlen(code));
	SB_LIT(&g.out, "\",\"message\":\"");
	sb_put(&g.out, message, strlen(message));
	SB_LIT(&g.out, "\"}");
	reply(pss);
}

static void
send_welcome(struct pss *pss)
{
	struct sbuf *s = &g.out;

	/* join first, so presence counts this connection */
	pss->welcomed = 1;
	pss->next = g.clients;
	pss->pprev = &g.clients;
	if (g.clients)
		g.clients->pprev = &pss->next;
	g.clients = pss;
	g.nclients++;

	BEGIN("welcome", NULL);
	SB_LIT(s, ",\"user\":{\"id\":\"u\",\"name\":\"u\",\"office\":\"o\","
		  "\"role\":\"employee\"},\"epoch\":\"peer\",\"seq\":");
	sb_i64(s, g.seq);
	SB_LIT(s, ",\"cycle\":{\"id\":\"c1\",\"startedAt\":0},\"townhall\":"
		  "{\"state\":\"idle\",\"title\":null,\"stream\":null,"
		  "\"onAir\":null},\"posts\":[");
	for (int i = 0; i < g.nposts; i++) {
		if (i)
			sb_chr(s, ',');
		put_post(s, i);
	}
	SB_LIT(s, "],");
	put_ranks(s);
	SB_LIT(s, ",\"myVotes\":{},\"comments\":[],\"announcements\":[],"
		  "\"presence\":{\"total\":");
	sb_i64(s, g.nclients);
	SB_LIT(s, ",\"offices\":{\"o\":");
	sb_i64(s, g.nclients);
	SB_LIT(s, "}},\"recovered\":false}");
	reply(pss);
}

static int
post_index(const struct tok *t)
{
	long long v = 0;

	if (!tok_is_str(t) || t->n < 4 || t->p[1] != 'p' || t->p[2] == '0')
		return -1;
	for (size_t i = 2; i < t->n - 1; i++) {
		if (t->p[i] < '0' || t->p[i] > '9' || v > g.nposts)
			return -1;
		v = v * 10 + (t->p[i] - '0');
	}
	return v >= 1 && v <= g.nposts ? (int)(v - 1) : -1;
}

static void
do_vote(struct pss *pss, const char *in, size_t len, const struct tok *id)
{
	struct tok tp, tv;
	int idx, v;

	idx = jget(in, len, "post", &tp) ? post_index(&tp) : -1;
	if (idx < 0) {
		send_error(pss, id, "not_found", "no such post");
		return;
	}
	if (!jget(in, len, "value", &tv) ||
	    !((tv.n == 1 && (tv.p[0] == '0' || tv.p[0] == '1')) ||
	      (tv.n == 2 && tv.p[0] == '-' && tv.p[1] == '1'))) {
		send_error(pss, id, "bad_request", "vote must be 1, -1 or 0");
		return;
	}
	v = tv.n == 2 ? -1 : tv.p[0] - '0';

	int old = pss->votes[idx];
	if (old != v) {
		struct post *p = &g.posts[idx];

		if (old == 1)
			p->up--;
		else if (old == -1)
			p->down--;
		if (v == 1)
			p->up++;
		else if (v == -1)
			p->down++;
		pss->votes[idx] = (int8_t)v;
		mark_changed(idx);
	}

	BEGIN("ack", id);
	SB_LIT(&g.out, ",\"post\":");
	put_post(&g.out, idx);
	SB_LIT(&g.out, ",\"value\":");
	sb_i64(&g.out, v);
	sb_chr(&g.out, '}');
	reply(pss);
}

/* announce and comment: render the object once, ack with it, keep it. */
static void
do_text(struct pss *pss, const char *in, size_t len, const struct tok *id,
	int is_comment)
{
	struct sbuf *keep = is_comment ? &g.coms : &g.anns;
	struct tok tt;
	size_t off = keep->len;

	if (!jget(in, len, "text", &tt) || !tok_is_str(&tt)) {
		send_error(pss, id, "bad_request", "text is required");
		return;
	}
	if (is_comment) {
		SB_LIT(keep, "{\"id\":\"c");
		sb_i64(keep, ++g.next_com);
		SB_LIT(keep, "\",\"post\":null,\"text\":\"");
	} else {
		SB_LIT(keep, "{\"id\":\"a");
		sb_i64(keep, ++g.next_ann);
		SB_LIT(keep, "\",\"text\":\"");
	}
	sb_json_body(keep, tt.p + 1, tt.n - 2);
	if (is_comment)
		SB_LIT(keep, "\",\"author\":{\"name\":\"u\",\"office\":\"o\"},"
			     "\"createdAt\":");
	else
		SB_LIT(keep, "\",\"createdAt\":");
	sb_i64(keep, now_ms());
	sb_chr(keep, '}');

	if (is_comment)
		push_span(&g.com_spans, &g.ncom, &g.cap_com, off,
			  keep->len - off);
	else
		push_span(&g.ann_spans, &g.nann, &g.cap_ann, off,
			  keep->len - off);

	BEGIN("ack", id);
	if (is_comment)
		SB_LIT(&g.out, ",\"comment\":");
	else
		SB_LIT(&g.out, ",\"announcement\":");
	sb_put(&g.out, keep->b + off, keep->len - off);
	sb_chr(&g.out, '}');
	reply(pss);
}

static void
handle_frame(struct pss *pss, const char *in, size_t len)
{
	struct tok type, idt, *id = NULL;

	if (!jget(in, len, "type", &type))
		type.n = 0;

	if (!pss->welcomed) {
		if (tok_eq(&type, "hello"))
			send_welcome(pss);
		return;		/* anything before hello is ignored */
	}

	if (jget(in, len, "id", &idt))
		id = &idt;

	if (tok_eq(&type, "vote"))
		do_vote(pss, in, len, id);
	else if (tok_eq(&type, "ping")) {
		BEGIN("pong", id);
		sb_chr(&g.out, '}');
		reply(pss);
	} else if (tok_eq(&type, "announce"))
		do_text(pss, in, len, id, 0);
	else if (tok_eq(&type, "comment"))
		do_text(pss, in, len, id, 1);
	else
		send_error(pss, id, "bad_request", "unknown type");
}

/* ------------------------------------------------------------------- tick */

static void
tick_cb(lws_sorted_usec_list_t *sul)
{
	struct sbuf *s = &g.out;
	lws_usec_t now = lws_now_usecs();
	int first = 1;

	(void)sul;
	g.tick_due += (lws_usec_t)g.tick_ms * LWS_US_PER_MS;
	if (g.tick_due <= now)	/* fell behind: no catching up in bursts */
		g.tick_due = now + (lws_usec_t)g.tick_ms * LWS_US_PER_MS;
	lws_sul_schedule(g.ctx, 0, &g.tick, tick_cb, g.tick_due - now);

	if (!g.nchanged && !g.nann && !g.ncom)
		return;

	s->len = 0;
	SB_LIT(s, "{\"type\":\"update\",\"seq\":");
	sb_i64(s, ++g.seq);
	if (g.nchanged) {
		SB_LIT(s, ",\"posts\":[");
		for (int i = 0; i < g.nchanged; i++) {
			if (i)
				sb_chr(s, ',');
			put_post(s, g.changed[i]);
			g.is_changed[g.changed[i]] = 0;
		}
		sb_chr(s, ']');
	}
	if (g.nann) {
		SB_LIT(s, ",\"announcements\":[");
		for (int i = g.nann - 1; i >= 0; i--) {	/* newest first */
			if (!first)
				sb_chr(s, ',');
			first = 0;
			sb_put(s, g.anns.b + g.ann_spans[i].off,
			       g.ann_spans[i].len);
		}
		sb_chr(s, ']');
	}
	if (g.ncom) {
		SB_LIT(s, ",\"comments\":[");
		for (int i = 0; i < g.ncom; i++) {
			if (i)
				sb_chr(s, ',');
			sb_put(s, g.coms.b + g.com_spans[i].off,
			       g.com_spans[i].len);
		}
		sb_chr(s, ']');
	}
	if (g.nchanged) {
		sb_chr(s, ',');
		put_ranks(s);
	}
	sb_chr(s, '}');
	g.nchanged = g.nann = g.ncom = 0;
	g.anns.len = g.coms.len = 0;

	struct msg *m = msg_new(s);
	m->refs = 1;		/* ours, while fanning out */
	for (struct pss *p = g.clients, *next; p; p = next) {
		next = p->next;	/* enqueue may unlink p */
		enqueue(p, m);
	}
	msg_unref(m);
}

/* --------------------------------------------------------------- callback */

static const char healthz_body[] = "{\"status\":\"ok\"}";

static int
callback_townhall(struct lws *wsi, enum lws_callback_reasons reason,
		  void *user, void *in, size_t len)
{
	struct pss *pss = user;
	char uri[64];

	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) < 0 ||
		    strcmp(uri, "/ws"))
			return 1;	/* only /ws upgrades */
		return 0;

	case LWS_CALLBACK_ESTABLISHED:
		memset(pss, 0, sizeof(*pss) + (size_t)g.nposts);
		pss->wsi = wsi;
		pss->established = 1;
		return 0;

	case LWS_CALLBACK_RECEIVE:
		if (pss->killed)
			return 0;
		if (!pss->rx && lws_is_final_fragment(wsi)) {
			if (len > MAX_IN)
				goto too_big;
			handle_frame(pss, in, len);
			return 0;
		}
		if (pss->rxlen + len > MAX_IN)
			goto too_big;
		if (!pss->rx && !(pss->rx = malloc(MAX_IN)))
			oom();
		memcpy(pss->rx + pss->rxlen, in, len);
		pss->rxlen += len;
		if (lws_is_final_fragment(wsi)) {
			handle_frame(pss, pss->rx, pss->rxlen);
			free(pss->rx);
			pss->rx = NULL;
			pss->rxlen = 0;
		}
		return 0;
too_big:
		lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
				 (unsigned char *)"frame too large", 15);
		return -1;

	case LWS_CALLBACK_SERVER_WRITEABLE: {
		if (pss->killed) {
			lws_close_reason(wsi, (enum lws_close_status)CLOSE_SLOW,
					 (unsigned char *)"too slow", 8);
			return -1;
		}
		if (!pss->qcount)
			return 0;
		struct msg *m = pss->q[pss->qhead];
		int n = (int)m->len;

		pss->qhead = (uint16_t)((pss->qhead + 1) % QCAP);
		pss->qcount--;
		/* lws keeps any unsent tail itself; short means error */
		int w = lws_write(wsi, m->data + LWS_PRE, (size_t)n,
				  LWS_WRITE_TEXT);
		msg_unref(m);
		if (w < n)
			return -1;
		if (pss->qcount)
			lws_callback_on_writable(wsi);
		return 0;
	}

	case LWS_CALLBACK_CLOSED:
		if (!pss->established)
			return 0;
		pss->established = 0;
		unlink_client(pss);
		while (pss->qcount) {
			msg_unref(pss->q[pss->qhead]);
			pss->qhead = (uint16_t)((pss->qhead + 1) % QCAP);
			pss->qcount--;
		}
		free(pss->rx);
		pss->rx = NULL;
		return 0;

	case LWS_CALLBACK_HTTP: {
		unsigned char buf[LWS_PRE + 256], *start = buf + LWS_PRE,
			      *p = start, *end = buf + sizeof buf - 1;

		if (strcmp((const char *)in, "/healthz")) {
			lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, NULL);
			return lws_http_transaction_completed(wsi) ? -1 : 0;
		}
		if (lws_add_http_common_headers(wsi, HTTP_STATUS_OK,
				"application/json", sizeof healthz_body - 1,
				&p, end) ||
		    lws_finalize_write_http_header(wsi, start, &p, end))
			return 1;
		pss->healthz = 1;
		lws_callback_on_writable(wsi);
		return 0;
	}

	case LWS_CALLBACK_HTTP_WRITEABLE: {
		unsigned char buf[LWS_PRE + sizeof healthz_body];

		if (!pss || !pss->healthz)
			break;
		pss->healthz = 0;
		memcpy(buf + LWS_PRE, healthz_body, sizeof healthz_body - 1);
		if (lws_write(wsi, buf + LWS_PRE, sizeof healthz_body - 1,
			      LWS_WRITE_HTTP_FINAL) != sizeof healthz_body - 1)
			return 1;
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	}

	default:
		break;
	}

	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

/* ------------------------------------------------------------------- main */

static struct lws_protocols protocols[] = {
	{ "townhall.v1", callback_townhall, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
	/*
	 * With lws' internal libev loop, SIGINT is lws' own signal watcher,
	 * which breaks the loop; route SIGTERM through it as well.
	 */
	if (g.use_libev)
		raise(SIGINT);
}

static int
parse_int(const char *s, int lo, int hi, int *out)
{
	char *e;
	long v;

	errno = 0;
	v = strtol(s, &e, 10);
	if (errno || *e || e == s || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

static void
usage(void)
{
	fputs("usage: peer --port P [--tick-ms 100] [--posts 20] [--poll]\n", stderr);
	exit(64);
}

int
main(int argc, char **argv)
{
	struct lws_context_creation_info info;
	struct sigaction sa;
	int force_poll = 0;

	g.port = -1;
	g.tick_ms = 100;
	g.nposts = 20;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--poll")) {	/* skip libev */
			force_poll = 1;
			continue;
		}
		int *dst = !strcmp(argv[i], "--port") ? &g.port :
			   !strcmp(argv[i], "--tick-ms") ? &g.tick_ms :
			   !strcmp(argv[i], "--posts") ? &g.nposts : NULL;
		int lo = dst == &g.port ? 1 : dst == &g.tick_ms ? 1 : 0;
		int hi = dst == &g.port ? 65535 : dst == &g.tick_ms ? 3600000
								 : 1000000;

		if (!dst || i + 1 >= argc || parse_int(argv[++i], lo, hi, dst))
			usage();
	}
	if (g.port < 0)
		usage();

	g.posts = calloc((size_t)g.nposts + 1, sizeof(*g.posts));
	g.changed = calloc((size_t)g.nposts + 1, sizeof(int));
	g.order = calloc((size_t)g.nposts + 1, sizeof(int));
	g.is_changed = calloc((size_t)g.nposts + 1, 1);
	if (!g.posts || !g.changed || !g.order || !g.is_changed)
		oom();
	g.ranks_dirty = 1;
	protocols[0].per_session_data_size = sizeof(struct pss) +
					     (size_t)g.nposts;

	signal(SIGPIPE, SIG_IGN);
	lws_set_log_level(LLL_ERR, NULL);

	memset(&info, 0, sizeof info);
	info.port = g.port;
	info.iface = "127.0.0.1";
	info.protocols = protocols;
	info.max_http_header_pool = 256;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6;

	if (!force_poll) {
		info.options |= LWS_SERVER_OPTION_LIBEV;
		g.ctx = lws_create_context(&info);
		if (g.ctx)
			g.use_libev = 1;
		else
			fputs("peer: warning: could not create the context "
			      "with libev; falling back to the poll(2) loop\n",
			      stderr);
	}
	if (!g.ctx) {
		info.options &= ~(uint64_t)LWS_SERVER_OPTION_LIBEV;
		g.ctx = lws_create_context(&info);
		if (!g.ctx) {
			fputs("peer: could not create the lws context\n",
			      stderr);
			return 1;
		}
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	if (!g.use_libev)
		sigaction(SIGINT, &sa, NULL);

	g.tick_due = lws_now_usecs() + (lws_usec_t)g.tick_ms * LWS_US_PER_MS;
	lws_sul_schedule(g.ctx, 0, &g.tick, tick_cb,
			 (lws_usec_t)g.tick_ms * LWS_US_PER_MS);

	fprintf(stderr, "peer: event loop %s, tick %d ms, %d posts\n",
		g.use_libev ? "libev" : "poll", g.tick_ms, g.nposts);
	printf("listening on %d\n", g.port);
	fflush(stdout);

	if (g.use_libev)
		lws_service(g.ctx, 0);	/* runs until SIGINT breaks it */
	else
		while (!interrupted && lws_service(g.ctx, 0) >= 0)
			;

	lws_sul_cancel(&g.tick);
	lws_context_destroy(g.ctx);
	free(g.posts);
	free(g.changed);
	free(g.order);
	free(g.is_changed);
	free(g.ranks.b);
	free(g.anns.b);
	free(g.coms.b);
	free(g.ann_spans);
	free(g.com_spans);
	free(g.out.b);
	return 0;
}
