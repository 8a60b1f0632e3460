// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz: abuse the "preempthint" generic netlink family (issue 8). Raw
 * AF_NETLINK sockets throughout, so that any byte of a message can be wrong.
 *
 *   nlfuzz probe [--prefix P]
 *	One hand-made bad (or borderline) message per line of a table, each
 *	with the exact errno the kernel must answer; TAP "ok - ..." lines.
 *	Run it on a freshly loaded module: it expects no policy at the start;
 *	it leaves two enabled (P/bait/k0 and one with a 4000-character path,
 *	printed as deep_path=).
 *
 *   nlfuzz clear
 *	Disable every policy by the path the dump lists it under; exits 0 if
 *	none remains.
 *
 *   nlfuzz perm [--family-id N] [--group-id G] [--path CGROUP] [--listen S]
 *	What the caller may do: the nlctrl lookup, each command's answer,
 *	joining the events group and how many events arrive in S seconds
 *	(key=value lines). For the privilege test (86-privilege.sh).
 *
 *   nlfuzz storm [--seed S] [--threads T] [--messages N] [--valid V]
 *		  [--cgroups K] [--prefix P]
 *	T threads send N malformed, truncated, oversized, bit-flipped,
 *	random, batched and foreign-type messages between them, mixed in
 *	random order with V valid requests. Each thread owns K cgroups
 *	(P/own/tI/cJ, created here) that only its valid requests touch, so it
 *	knows what their policies must be: every valid reply and every
 *	uninterrupted dump is checked against that model during the storm,
 *	and the final policy list after it. Fuzzed messages are built from
 *	templates naming "bait" cgroups (P/bait/kJ) only, so whatever they
 *	happen to enable or disable can never be an owned cgroup.
 *	Prints key=value lines: seed, per-category counts, the errno
 *	histogram, rate, duration, violations (0 = consistent), and one
 *	"policy PATH ID GRACE MODE" line per policy left at the end.
 *
 * Every thread's sequence of messages depends only on the seed, its index
 * and the counts (never on replies): rerunning with the printed seed and
 * the same --threads/--messages/--valid sends the same messages from each
 * thread; only the interleaving between threads differs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "preempthint.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define CG_ROOT	  "/sys/fs/cgroup"
#define MSG_CAP	  (256 * 1024)	/* largest message we build */
#define RBUF_SIZE (512 * 1024)	/* an echoed 200 KB request fits */
#define MAX_ERRNO 134
#define NBAIT	  4
#define MAX_OWN	  16
#define NSTATS	  (PREEMPTHINT_STAT_PAD - PREEMPTHINT_STAT_GRANTS)

static uint16_t family;
static const char *prefix = "/ph-fz";

/* ---- PRNG: splitmix64, one stream per thread ---------------------------- */

static uint64_t next_rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* ---- building messages ------------------------------------------------- */

struct mb {
	uint8_t *p;
	size_t len;	/* bytes used */
	size_t msg;	/* offset of the message being built */
};

static void mb_room(struct mb *m, size_t n)
{
	if (m->len + n > MSG_CAP) {
		fprintf(stderr, "nlfuzz: message buffer overflow (%zu + %zu)\n", m->len, n);
		abort();
	}
}

/* Start a message at the next aligned offset: netlink and genetlink headers. */
static void mb_start(struct mb *m, uint16_t type, uint16_t flags, uint32_t seq, uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	m->len = NLMSG_ALIGN(m->len);
	mb_room(m, NLMSG_HDRLEN + GENL_HDRLEN);
	m->msg = m->len;
	nlh = (struct nlmsghdr *)(m->p + m->msg);
	memset(nlh, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	g = NLMSG_DATA(nlh);
	g->cmd = cmd;
	g->version = PREEMPTHINT_GENL_VERSION;
	m->len += NLMSG_HDRLEN + GENL_HDRLEN;
	nlh->nlmsg_len = (uint32_t)(m->len - m->msg);
}

static struct nlmsghdr *mb_nlh(struct mb *m)
{
	return (struct nlmsghdr *)(m->p + m->msg);
}

static void mb_sync(struct mb *m)
{
	mb_nlh(m)->nlmsg_len = (uint32_t)(m->len - m->msg);
}

/* An attribute with @len bytes of payload (nla_len says so), padded to 4. */
static void mb_attr(struct mb *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *nla;

	mb_room(m, NLA_HDRLEN + NLA_ALIGN(len));
	nla = (struct nlattr *)(m->p + m->len);
	nla->nla_type = type;
	nla->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (data)
		memcpy(m->p + m->len + NLA_HDRLEN, data, len);
	else
		memset(m->p + m->len + NLA_HDRLEN, 0, len);
	memset(m->p + m->len + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	m->len += NLA_HDRLEN + NLA_ALIGN(len);
	mb_sync(m);
}

static void mb_u32(struct mb *m, uint16_t type, uint32_t v)
{
	mb_attr(m, type, &v, sizeof(v));
}

static void mb_str(struct mb *m, uint16_t type, const char *s)
{
	mb_attr(m, type, s, strlen(s) + 1);
}

static void mb_raw(struct mb *m, const void *data, size_t len)
{
	mb_room(m, len);
	memcpy(m->p + m->len, data, len);
	m->len += len;
	mb_sync(m);
}

/* ---- sockets and replies ------------------------------------------------ */

static int nl_open(bool ext_ack, bool cap_ack, int rcvbuf)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC), on = 1;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -errno;
	}
	if (ext_ack)
		(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &on, sizeof(on));
	if (cap_ack)
		(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &on, sizeof(on));
	/* SO_RCVBUFFORCE (we are root) so a big echoed error always fits. */
	if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	return fd;
}

static int nl_send(int fd, const void *buf, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	for (;;) {
		if (sendto(fd, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa)) >= 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

/* What came back for one datagram. */
struct result {
	int nerr;	/* NLMSG_ERROR messages */
	int err;	/* the first one's errno (0: an ACK) */
	bool done;	/* NLMSG_DONE seen */
	int done_err;
	int replies;	/* other messages */
	bool intr;	/* some message had NLM_F_DUMP_INTR */
	bool enobufs;	/* the socket overflowed: replies were dropped */
	char extack[128];
};

typedef void (*reply_fn)(const struct nlmsghdr *nlh, void *arg);

static void note_extack(struct result *r, const struct nlmsghdr *nlh, size_t off)
{
	const struct nlattr *a;
	size_t len = nlh->nlmsg_len - NLMSG_HDRLEN;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || r->extack[0])
		return;
	for (; off + NLA_HDRLEN <= len; off += NLA_ALIGN(a->nla_len)) {
		a = (const struct nlattr *)((const char *)NLMSG_DATA(nlh) + off);
		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > len)
			return;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
			snprintf(r->extack, sizeof(r->extack), "%.*s",
				 (int)(a->nla_len - NLA_HDRLEN), (const char *)a + NLA_HDRLEN);
			return;
		}
	}
}

/*
 * Read everything the kernel queued for what we sent. Generic netlink runs
 * a request in the sender's sendmsg() and queues its replies there; the
 * next part of a dump is made inside the recvmsg() that reads the previous
 * one. So once a non-blocking read finds nothing, the answer is complete.
 */
static void nl_drain(int fd, uint8_t *rbuf, struct result *r, reply_fn fn, void *arg)
{
	memset(r, 0, sizeof(*r));
	for (;;) {
		ssize_t n = recv(fd, rbuf, RBUF_SIZE, MSG_DONTWAIT);
		struct nlmsghdr *nlh;
		size_t left;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				r->enobufs = true;
				continue;
			}
			break;	/* EAGAIN: all read */
		}
		left = (size_t)n;
		for (nlh = (struct nlmsghdr *)rbuf; NLMSG_OK(nlh, left); nlh = NLMSG_NEXT(nlh, left)) {
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				r->intr = true;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nlh);
				size_t off = sizeof(*e);

				if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					continue;
				if (!r->nerr++)
					r->err = -e->error;
				if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
					off += e->msg.nlmsg_len - NLMSG_HDRLEN;
				note_extack(r, nlh, NLMSG_ALIGN(off));
			} else if (nlh->nlmsg_type == NLMSG_DONE) {
				int err = 0;

				r->done = true;
				if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
					memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
				r->done_err = -err;
				note_extack(r, nlh, NLMSG_ALIGN(sizeof(int)));
			} else {
				r->replies++;
				if (fn)
					fn(nlh, arg);
			}
		}
	}
}

/* The attributes of a reply, by type (the last of each type wins). */
static void parse_attrs(const struct nlmsghdr *nlh, const struct nlattr **tb, int max)
{
	size_t len, off = 0;
	const uint8_t *p;

	memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
	if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
		return;
	p = (const uint8_t *)NLMSG_DATA(nlh) + GENL_HDRLEN;
	len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	while (off + NLA_HDRLEN <= len) {
		const struct nlattr *a = (const struct nlattr *)(p + off);
		int type = a->nla_type & NLA_TYPE_MASK;

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > len)
			return;
		if (type <= max)
			tb[type] = a;
		off += NLA_ALIGN(a->nla_len);
	}
}

static const void *nla_payload(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static int nla_plen(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static uint64_t nla_uint(const struct nlattr *a)
{
	uint64_t v64 = 0;
	uint32_t v32 = 0;
	uint8_t v8 = 0;

	switch (nla_plen(a)) {
	case 1: memcpy(&v8, nla_payload(a), 1); return v8;
	case 4: memcpy(&v32, nla_payload(a), 4); return v32;
	case 8: memcpy(&v64, nla_payload(a), 8); return v64;
	}
	return UINT64_MAX;
}

/*
 * Resolve the family and its "events" group through nlctrl
 * (CTRL_CMD_GETFAMILY by name): the family id, or -errno; *@group gets the
 * group id, or -1.
 */
static int resolve_family(int *group)
{
	uint8_t *buf = calloc(1, MSG_CAP), *rbuf = malloc(RBUF_SIZE);
	struct mb m = { .p = buf };
	int fd, id = -ENOENT;
	ssize_t n;

	if (!buf || !rbuf)
		abort();
	*group = -1;
	fd = nl_open(true, true, 0);
	if (fd < 0)
		return fd;
	mb_start(&m, GENL_ID_CTRL, NLM_F_REQUEST, 1, CTRL_CMD_GETFAMILY);
	((struct genlmsghdr *)NLMSG_DATA(mb_nlh(&m)))->version = 2;
	mb_str(&m, CTRL_ATTR_FAMILY_NAME, PREEMPTHINT_GENL_NAME);
	if (nl_send(fd, m.p, m.len) == 0 && (n = recv(fd, rbuf, RBUF_SIZE, 0)) > 0) {
		const struct nlattr *tb[CTRL_ATTR_MAX + 1];
		struct nlmsghdr *nlh = (struct nlmsghdr *)rbuf;

		if (!NLMSG_OK(nlh, (size_t)n)) {
			id = -EBADMSG;
		} else if (nlh->nlmsg_type == NLMSG_ERROR) {
			id = ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
		} else if (nlh->nlmsg_type == GENL_ID_CTRL) {
			parse_attrs(nlh, tb, CTRL_ATTR_MAX);
			if (tb[CTRL_ATTR_FAMILY_ID] && nla_plen(tb[CTRL_ATTR_FAMILY_ID]) >= 2) {
				uint16_t v;

				memcpy(&v, nla_payload(tb[CTRL_ATTR_FAMILY_ID]), 2);
				id = v;
			}
			/* CTRL_ATTR_MCAST_GROUPS: a nest of nests (name, id). */
			if (tb[CTRL_ATTR_MCAST_GROUPS]) {
				const struct nlattr *g = tb[CTRL_ATTR_MCAST_GROUPS];
				size_t off = 0, len = (size_t)nla_plen(g);

				while (off + NLA_HDRLEN <= len) {
					const struct nlattr *e = (const void *)((const char *)nla_payload(g) + off);
					size_t o2 = 0, l2 = (size_t)nla_plen(e);
					const char *name = NULL;
					int gid = -1;

					if (e->nla_len < NLA_HDRLEN || off + e->nla_len > len)
						break;
					while (o2 + NLA_HDRLEN <= l2) {
						const struct nlattr *a = (const void *)((const char *)nla_payload(e) + o2);

						if (a->nla_len < NLA_HDRLEN || o2 + a->nla_len > l2)
							break;
						if (a->nla_type == CTRL_ATTR_MCAST_GRP_NAME)
							name = nla_payload(a);
						else if (a->nla_type == CTRL_ATTR_MCAST_GRP_ID)
							gid = (int)nla_uint(a);
						o2 += NLA_ALIGN(a->nla_len);
					}
					if (name && !strcmp(name, PREEMPTHINT_GENL_MCGRP))
						*group = gid;
					off += NLA_ALIGN(e->nla_len);
				}
			}
		}
	}
	close(fd);
	free(buf);
	free(rbuf);
	return id;
}

/* ---- the policy list as a dump returns it ------------------------------ */

struct pol {
	char path[4100];
	uint64_t id;
	uint32_t grace, mode;
	int nstats;
	bool bad;	/* missing or malformed attributes */
};

struct pols {
	struct pol *v;
	int n, cap;
};

static void pols_add(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[PREEMPTHINT_A_MAX + 1];
	struct pols *ps = arg;
	struct pol *p;

	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? 2 * ps->cap : 32;
		ps->v = realloc(ps->v, (size_t)ps->cap * sizeof(*ps->v));
		if (!ps->v)
			abort();
	}
	p = &ps->v[ps->n++];
	memset(p, 0, sizeof(*p));
	parse_attrs(nlh, tb, PREEMPTHINT_A_MAX);
	if (nlh->nlmsg_type != family || !tb[PREEMPTHINT_A_CGROUP_PATH] ||
	    !tb[PREEMPTHINT_A_CGROUP_ID] || !tb[PREEMPTHINT_A_GRACE_US] || !tb[PREEMPTHINT_A_MODE] ||
	    !tb[PREEMPTHINT_A_STATS]) {
		p->bad = true;
		return;
	}
	snprintf(p->path, sizeof(p->path), "%.*s", nla_plen(tb[PREEMPTHINT_A_CGROUP_PATH]),
		 (const char *)nla_payload(tb[PREEMPTHINT_A_CGROUP_PATH]));
	p->id = nla_uint(tb[PREEMPTHINT_A_CGROUP_ID]);
	p->grace = (uint32_t)nla_uint(tb[PREEMPTHINT_A_GRACE_US]);
	p->mode = (uint32_t)nla_uint(tb[PREEMPTHINT_A_MODE]);
	{
		const struct nlattr *s = tb[PREEMPTHINT_A_STATS];
		size_t off = 0, len = (size_t)nla_plen(s);

		while (off + NLA_HDRLEN <= len) {
			const struct nlattr *a = (const struct nlattr *)((const char *)nla_payload(s) + off);

			if (a->nla_len < NLA_HDRLEN || off + a->nla_len > len)
				break;
			if (a->nla_type >= PREEMPTHINT_STAT_GRANTS && a->nla_type < PREEMPTHINT_STAT_PAD)
				p->nstats++;
			off += NLA_ALIGN(a->nla_len);
		}
	}
}

/* ---- categories and the errno histogram --------------------------------- */

enum cat {
	CAT_VALID,	/* well-formed requests on owned cgroups (checked) */
	CAT_RANDOM,	/* random bytes, mostly behind a plausible header */
	CAT_TRUNCATED,	/* a valid message cut short */
	CAT_MALFORMED,	/* one structured defect in an otherwise valid message */
	CAT_OVERSIZED,	/* 4 KB .. 250 KB */
	CAT_BITFLIP,	/* a valid message with 1..8 random bit/byte changes */
	CAT_BATCH,	/* 2..16 messages, good and bad, in one datagram */
	CAT_FOREIGN,	/* control types, missing NLM_F_REQUEST, no such family */
	NCAT,
};

static const char *const cat_name[NCAT] = {
	"valid", "random", "truncated", "malformed", "oversized", "bitflip", "batch", "foreign",
};

/* Outcome slots: 0..MAX_ERRNO-1 an errno (0 = ACK), then these. */
enum { OUT_REPLY = MAX_ERRNO, OUT_DONE, OUT_SILENT, OUT_DROPPED, NOUT };

struct thr {
	int idx;
	uint64_t rnd;
	pthread_t tid;
	uint8_t *buf, *rbuf;
	int ffd, vfd;	/* fuzz socket (replaced now and then), valid socket */
	uint32_t seq;
	unsigned long fuzz_left, valid_left;
	unsigned long sent[NCAT], out[NCAT][NOUT], sendfail[NCAT][MAX_ERRNO];
	unsigned long batch_msgs, sockets, abandoned, dumps, dumps_intr, bytes;
	unsigned long violations;
	int nown;
	struct own {
		char path[64];
		bool on;
		int grace;	/* -1: whatever the default was */
		uint32_t mode;
	} own[MAX_OWN];
};

static int nthreads = 4, own_per_thread = 6;
static unsigned long total_violations;
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

static uint32_t rnd32(struct thr *t)
{
	return (uint32_t)next_rnd(&t->rnd);
}

static uint32_t rnd_below(struct thr *t, uint32_t n)
{
	return n ? rnd32(t) % n : 0;
}

static bool chance(struct thr *t, unsigned int pct)
{
	return rnd_below(t, 100) < pct;
}

static void violation(struct thr *t, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&print_lock);
	if (total_violations++ < 30) {
		printf("# violation (thread %d): ", t ? t->idx : -1);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
		fflush(stdout);
	}
	pthread_mutex_unlock(&print_lock);
	if (t)
		t->violations++;
}

static void account(struct thr *t, enum cat c, const struct result *r)
{
	int slot;

	if (r->nerr)
		slot = r->err >= 0 && r->err < MAX_ERRNO ? r->err : MAX_ERRNO - 1;
	else if (r->done)
		slot = r->done_err > 0 && r->done_err < MAX_ERRNO ? r->done_err : OUT_DONE;
	else if (r->replies)
		slot = OUT_REPLY;
	else if (r->enobufs)
		slot = OUT_DROPPED;
	else
		slot = OUT_SILENT;
	t->out[c][slot]++;
}

/* ---- templates: valid requests naming bait cgroups ---------------------- */

enum tpl { T_ENABLE, T_DISABLE, T_DUMP, T_STATS, T_SET, T_RESET, NTPL };

static void bait_path(struct thr *t, char *buf, size_t len)
{
	uint32_t k = rnd_below(t, NBAIT + 1);

	if (k == NBAIT)
		snprintf(buf, len, "%s/bait/none", prefix);	/* never exists */
	else
		snprintf(buf, len, "%s/bait/k%u", prefix, k);
}

static void build_template(struct thr *t, struct mb *m, enum tpl which)
{
	static const uint8_t cmd[NTPL] = {
		PREEMPTHINT_CMD_ENABLE, PREEMPTHINT_CMD_DISABLE, PREEMPTHINT_CMD_GET_POLICY,
		PREEMPTHINT_CMD_GET_STATS, PREEMPTHINT_CMD_SET, PREEMPTHINT_CMD_RESET_STATS,
	};
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
	char path[128];

	if (which == T_DUMP)
		flags |= NLM_F_DUMP;
	mb_start(m, family, flags, ++t->seq, cmd[which]);
	switch (which) {
	case T_ENABLE:
		bait_path(t, path, sizeof(path));
		mb_str(m, PREEMPTHINT_A_CGROUP_PATH, path);
		if (chance(t, 70))
			mb_u32(m, PREEMPTHINT_A_GRACE_US, PREEMPTHINT_GRACE_US_MIN +
			       rnd_below(t, PREEMPTHINT_GRACE_US_MAX - PREEMPTHINT_GRACE_US_MIN + 1));
		if (chance(t, 50))
			mb_u32(m, PREEMPTHINT_A_MODE, 1 + rnd_below(t, PREEMPTHINT_MODE_ALL));
		break;
	case T_DISABLE:
		bait_path(t, path, sizeof(path));
		mb_str(m, PREEMPTHINT_A_CGROUP_PATH, path);
		break;
	case T_SET:
		/*
		 * Rarely the global switch: each flip patches the kernel's
		 * text (a static key), slow under emulation.
		 */
		if (chance(t, 10)) {
			uint8_t on = (uint8_t)rnd_below(t, 2);

			mb_attr(m, PREEMPTHINT_A_ENABLED, &on, 1);
		} else {
			mb_u32(m, PREEMPTHINT_A_GRACE_US, PREEMPTHINT_GRACE_US_MIN +
			       rnd_below(t, PREEMPTHINT_GRACE_US_MAX - PREEMPTHINT_GRACE_US_MIN + 1));
		}
		break;
	default:
		break;
	}
}

static enum tpl pick_template(struct thr *t)
{
	static const enum tpl weights[] = {
		T_ENABLE, T_ENABLE, T_ENABLE, T_DISABLE, T_DISABLE, T_DUMP, T_DUMP,
		T_STATS, T_STATS, T_SET, T_RESET,
	};

	return weights[rnd_below(t, sizeof(weights) / sizeof(weights[0]))];
}

/*
 * Keep fuzzed messages on our family: a type in [GENL_ID_CTRL, 1024) other
 * than ours would be some other family of the guest's kernel (ids are below
 * 1024), and this test has no business sending garbage there as root.
 */
static void fence_type(struct mb *m, size_t off)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(m->p + off);

	if (m->len - off < 6)
		return;
	if (nlh->nlmsg_type >= GENL_ID_CTRL && nlh->nlmsg_type < 1024 && nlh->nlmsg_type != family)
		nlh->nlmsg_type = family;
}

/* ---- the fuzz categories ----------------------------------------------- */

static void gen_random(struct thr *t, struct mb *m)
{
	uint32_t r = rnd_below(t, 100), len, i;
	struct nlmsghdr *nlh;

	len = r < 50 ? rnd_below(t, 65) : r < 80 ? 64 + rnd_below(t, 449) : 512 + rnd_below(t, 7681);
	for (i = 0; i < len; i += 8) {
		uint64_t v = next_rnd(&t->rnd);

		memcpy(m->p + i, &v, len - i < 8 ? len - i : 8);
	}
	m->len = len;
	if (len >= NLMSG_HDRLEN && chance(t, 70)) {
		/* A plausible header, so that the kernel looks further. */
		nlh = (struct nlmsghdr *)m->p;
		nlh->nlmsg_len = chance(t, 80) ? len : rnd32(t);
		nlh->nlmsg_type = family;
		if (chance(t, 80))
			nlh->nlmsg_flags |= NLM_F_REQUEST;
		if (chance(t, 50))
			nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		if (len >= NLMSG_HDRLEN + GENL_HDRLEN && chance(t, 70)) {
			struct genlmsghdr *g = NLMSG_DATA(nlh);

			g->cmd = (uint8_t)rnd_below(t, PREEMPTHINT_CMD_MAX + 3);
			if (chance(t, 70))
				g->reserved = 0;
		}
	}
	fence_type(m, 0);
}

static void gen_truncated(struct thr *t, struct mb *m)
{
	struct nlmsghdr *nlh;
	size_t full, cut;
	uint32_t how;

	build_template(t, m, pick_template(t));
	if (chance(t, 30)) {
		/* A longer path makes more places to cut. */
		char path[2048];
		size_t n = 16 + rnd_below(t, sizeof(path) - 17);

		memset(path, 'a', n);
		memcpy(path, prefix, strlen(prefix));
		path[n] = '\0';
		mb_str(m, PREEMPTHINT_A_CGROUP_PATH, path);
	}
	full = m->len;
	cut = rnd_below(t, (uint32_t)full);
	nlh = mb_nlh(m);
	how = rnd_below(t, 3);
	if (how == 1 && cut >= sizeof(nlh->nlmsg_len))
		nlh->nlmsg_len = (uint32_t)cut;	/* claims only what is sent */
	else if (how == 2 && cut >= sizeof(nlh->nlmsg_len))
		nlh->nlmsg_len = (uint32_t)(cut > 4 ? cut - rnd_below(t, 4) : cut);
	/* how == 0: still claims the full length, more than arrives */
	m->len = cut;
}

enum {
	MAL_RESERVED, MAL_FLAGS, MAL_CMD, MAL_DUMPFLAG, MAL_UNKNOWN_ATTR, MAL_ATTR_FLAGS,
	MAL_NLA_SHORT, MAL_NLA_LONG, MAL_INT_LEN, MAL_U8, MAL_GRACE_RANGE, MAL_MODE_RANGE,
	MAL_NO_NUL, MAL_EMPTY_PATH, MAL_RELATIVE, MAL_NO_SUCH, MAL_ODD_PATH, MAL_DUPLICATE,
	MAL_OUTPUT_ATTR, MAL_SHORT_GENL, MAL_TRAILING, MAL_NLMSG_LEN, MAL_NO_PATH, MAL_SET_NOTHING,
	MAL_VERSION, MAL_NESTED_JUNK, NMAL,
};

static void gen_malformed(struct thr *t, struct mb *m)
{
	static const char *const odd_paths[] = {
		"/", "//", "/.", "/..", "/../..", "/ph-fz/../ph-fz", "/ph-fz/./bait", "/ph-fz//bait//k0",
		"/ph-fz/bait/k0/", "/%s%s%s%n", "/\n/\t", "/\xff\xfe", "/ph-fz/bait/k0/cgroup.procs",
		"/proc", "/sys/fs/cgroup", "/ph-fz/bait/k0\x01", "/ .",
	};
	uint32_t k = rnd_below(t, NMAL), v;
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	char path[128];
	uint8_t junk[16];

	switch (k) {
	case MAL_RESERVED:
		build_template(t, m, pick_template(t));
		g = NLMSG_DATA(mb_nlh(m));
		g->reserved = (uint16_t)(1 + rnd_below(t, 0xffff));
		break;
	case MAL_FLAGS:
		build_template(t, m, pick_template(t));
		/* REPLACE/EXCL/CREATE/APPEND, ATOMIC, ECHO, ... */
		mb_nlh(m)->nlmsg_flags |= (uint16_t)(0x10 << rnd_below(t, 8)) | (uint16_t)rnd32(t);
		mb_nlh(m)->nlmsg_flags |= NLM_F_REQUEST;
		break;
	case MAL_CMD:
		build_template(t, m, pick_template(t));
		g = NLMSG_DATA(mb_nlh(m));
		g->cmd = chance(t, 30) ? 0 : chance(t, 30) ? PREEMPTHINT_CMD_EVENT_STATS :
			 (uint8_t)(PREEMPTHINT_CMD_MAX + 1 + rnd_below(t, 255 - PREEMPTHINT_CMD_MAX));
		break;
	case MAL_DUMPFLAG:
		build_template(t, m, pick_template(t));
		nlh = mb_nlh(m);
		nlh->nlmsg_flags ^= NLM_F_DUMP;
		break;
	case MAL_UNKNOWN_ATTR:
		build_template(t, m, pick_template(t));
		v = chance(t, 20) ? 0 : PREEMPTHINT_A_MAX + 1 + rnd_below(t, 0x3fff - PREEMPTHINT_A_MAX);
		mb_u32(m, (uint16_t)v, rnd32(t));
		break;
	case MAL_ATTR_FLAGS:
		build_template(t, m, T_ENABLE);
		mb_u32(m, PREEMPTHINT_A_GRACE_US | (chance(t, 50) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER),
		       100);
		break;
	case MAL_NLA_SHORT:
		build_template(t, m, T_ENABLE);
		v = rnd_below(t, NLA_HDRLEN);
		mb_u32(m, PREEMPTHINT_A_GRACE_US, 100);
		((struct nlattr *)(m->p + m->len - NLA_HDRLEN - 4))->nla_len = (uint16_t)v;
		break;
	case MAL_NLA_LONG:
		build_template(t, m, T_ENABLE);
		mb_u32(m, PREEMPTHINT_A_MODE, 1);
		((struct nlattr *)(m->p + m->len - NLA_HDRLEN - 4))->nla_len =
			(uint16_t)(NLA_HDRLEN + 5 + rnd_below(t, 0xfff0));
		break;
	case MAL_INT_LEN: {
		static const uint8_t lens[] = { 0, 1, 2, 3, 5, 6, 8, 16 };
		uint8_t data[16] = { 100 };

		build_template(t, m, chance(t, 50) ? T_ENABLE : T_SET);
		mb_attr(m, chance(t, 50) ? PREEMPTHINT_A_GRACE_US : PREEMPTHINT_A_MODE, data,
			lens[rnd_below(t, sizeof(lens))]);
		break;
	}
	case MAL_U8: {
		/* ENABLED out of range (2..255) or of the wrong length (0..8). */
		uint8_t data[8];

		memset(data, (int)(2 + rnd_below(t, 254)), sizeof(data));
		mb_start(m, family, NLM_F_REQUEST | NLM_F_ACK, ++t->seq, PREEMPTHINT_CMD_SET);
		mb_attr(m, PREEMPTHINT_A_ENABLED, data, chance(t, 50) ? 1 : rnd_below(t, 9));
		break;
	}
	case MAL_GRACE_RANGE:
		mb_start(m, family, NLM_F_REQUEST | NLM_F_ACK, ++t->seq,
			 chance(t, 50) ? PREEMPTHINT_CMD_ENABLE : PREEMPTHINT_CMD_SET);
		bait_path(t, path, sizeof(path));
		mb_str(m, PREEMPTHINT_A_CGROUP_PATH, path);
		v = chance(t, 50) ? rnd_below(t, PREEMPTHINT_GRACE_US_MIN) :
				    PREEMPTHINT_GRACE_US_MAX + 1 + rnd32(t) % 0x7fffffff;
		mb_u32(m, PREEMPTHINT_A_GRACE_US, v);
		break;
	case MAL_MODE_RANGE:
		mb_start(m, family, NLM_F_REQUEST | NLM_F_ACK, ++t->seq, PREEMPTHINT_CMD_ENABLE);
		bait_path(t, path, sizeof(path));
		mb_str(m, PREEMPTHINT_A_CGROUP_PATH, path);
		mb_u32(m, PREEMPTHINT_A_MODE, chance(t, 30) ? 0 : PREEMPTHINT_MODE_ALL + 1 + rnd_below(t, 1000));
		break;
	case MAL_NO_NUL:
		mb_start(m, family, NLM_F_REQUEST | NLM_F_ACK, ++t->seq,
			 chance(t, 50) ? PREEMPTHINT_CMD_ENABLE : PREEMPTHINT_CMD_DISABLE);
		bait_path(t, path, sizeof(path));
		mb_attr(m, PREEMPTHINT_A_CGROUP_PATH, path, strlen(path));	/* no NUL */
		break;
	case MAL_EMPTY_PATH:
		mb_start(m, family, NLM_F_REQUEST | NLM_F_ACK, ++t->seq,
			 chance(t, 50) ? PREEMPTHINT_CMD_ENABLE : PREEMPTHINT_CMD_DISABLE);
		mb_attr(m, PREEMPTHINT_A_CGROUP_PATH, "", chance(t, 50) ? 0 : 1);
		break;
	case MAL_RELATIVE:
		mb_start(m, family, NLM_F_REQUEST | NLM_F_ACK, ++t->seq,
			 chance(t, 50) ? PREEMPTHINT_CMD_ENABLE : PREEMPTHINT_CMD_DISABLE);
		bait_path(t, path, sizeof(path));
		mb_str(m, PREEMPTHINT_A_CGROUP_PATH, path + 1);
		break;
	case MAL_NO_SUCH:
		mb_start(m, family, NLM_F_REQUEST | NLM_F_ACK, ++t->seq,
			 chance(t, 50) ? PREEMPTHINT_CMD_ENABLE : PREEMPTHINT_CMD_DISABLE);
		snprintf(path, sizeof(path), "%s/nope-%u", prefix, rnd32(t));
		mb_str(m, PREEMPTHINT_A_CGROUP_PATH, path);
		break;
	case MAL_ODD_PATH:
		/*
		 * Odd spellings; some name real cgroups ("/", the prefix, a
		 * bait): those may really be enabled, which is fine: none is
		 * an owned cgroup.
		 */
		mb_start(m, family, NLM_F_REQUEST | NLM_F_ACK, ++t->seq,
			 chance(t, 50) ? PREEMPTHINT_CMD_ENABLE : PREEMPTHINT_CMD_DISABLE);
		mb_str(m, PREEMPTHINT_A_CGROUP_PATH,
		       odd_paths[rnd_below(t, sizeof(odd_paths) / sizeof(odd_paths[0]))]);
		break;
	case MAL_DUPLICATE:
		build_template(t, m, T_ENABLE);
		bait_path(t, path, sizeof(path));
		mb_str(m, PREEMPTHINT_A_CGROUP_PATH, path);
		mb_u32(m, PREEMPTHINT_A_MODE, 1 + rnd_below(t, 3));
		mb_u32(m, PREEMPTHINT_A_MODE, 1 + rnd_below(t, 3));
		break;
	case MAL_OUTPUT_ATTR: {
		static const uint16_t out_only[] = {
			PREEMPTHINT_A_CGROUP_ID, PREEMPTHINT_A_STATS, PREEMPTHINT_A_VERSION,
			PREEMPTHINT_A_REGISTERED, PREEMPTHINT_A_PAD, PREEMPTHINT_A_TIME_NS,
		};
		uint64_t val = next_rnd(&t->rnd);

		build_template(t, m, pick_template(t));
		mb_attr(m, out_only[rnd_below(t, sizeof(out_only) / sizeof(out_only[0]))], &val,
			rnd_below(t, 9));
		break;
	}
	case MAL_SHORT_GENL:
		build_template(t, m, pick_template(t));
		m->len = m->msg + NLMSG_HDRLEN + rnd_below(t, GENL_HDRLEN);
		mb_sync(m);
		break;
	case MAL_TRAILING:
		build_template(t, m, pick_template(t));
		memset(junk, 0xa5, sizeof(junk));
		mb_raw(m, junk, 1 + rnd_below(t, NLA_HDRLEN - 1));
		break;
	case MAL_NLMSG_LEN:
		build_template(t, m, pick_template(t));
		nlh = mb_nlh(m);
		v = rnd_below(t, 4);
		nlh->nlmsg_len = v == 0 ? rnd_below(t, NLMSG_HDRLEN) : v == 1 ? nlh->nlmsg_len + 1 +
				 rnd_below(t, 64) : v == 2 ? 0xffffffffu : nlh->nlmsg_len - 1;
		break;
	case MAL_NO_PATH:
		mb_start(m, family, NLM_F_REQUEST | NLM_F_ACK, ++t->seq,
			 chance(t, 50) ? PREEMPTHINT_CMD_ENABLE : PREEMPTHINT_CMD_DISABLE);
		if (chance(t, 50))
			mb_u32(m, PREEMPTHINT_A_GRACE_US, 100);
		break;
	case MAL_SET_NOTHING:
		mb_start(m, family, NLM_F_REQUEST | NLM_F_ACK, ++t->seq, PREEMPTHINT_CMD_SET);
		if (chance(t, 50))
			mb_u32(m, PREEMPTHINT_A_MODE, 1);
		break;
	case MAL_VERSION:
		build_template(t, m, pick_template(t));
		g = NLMSG_DATA(mb_nlh(m));
		g->version = (uint8_t)rnd32(t);
		break;
	case MAL_NESTED_JUNK: {
		uint8_t inner[64];
		size_t i;

		for (i = 0; i < sizeof(inner); i++)
			inner[i] = (uint8_t)rnd32(t);
		build_template(t, m, T_ENABLE);
		mb_attr(m, PREEMPTHINT_A_STATS | NLA_F_NESTED, inner, rnd_below(t, sizeof(inner)));
		break;
	}
	}
}


static void gen_oversized(struct thr *t, struct mb *m)
{
	uint32_t k = rnd_below(t, 10), n, i;
	struct nlattr *nla;
	char *s;

	switch (k) {
	case 0: case 1: case 2:
		/* One path attribute of 4 KB .. 64 KB; NUL at the end, early, or nowhere. */
		n = 4096 + rnd_below(t, 65535 - NLA_HDRLEN - 4096);
		mb_start(m, family, NLM_F_REQUEST | NLM_F_ACK, ++t->seq,
			 chance(t, 50) ? PREEMPTHINT_CMD_ENABLE : PREEMPTHINT_CMD_DISABLE);
		mb_room(m, NLA_HDRLEN + NLA_ALIGN(n));
		nla = (struct nlattr *)(m->p + m->len);
		s = (char *)nla + NLA_HDRLEN;
		for (i = 0; i < n; i++)
			s[i] = "/a."[rnd_below(t, 3)];
		s[0] = '/';
		i = rnd_below(t, 3);
		if (i == 0)
			s[n - 1] = '\0';
		else if (i == 1)
			s[rnd_below(t, n)] = '\0';
		nla->nla_type = PREEMPTHINT_A_CGROUP_PATH;
		nla->nla_len = (uint16_t)(NLA_HDRLEN + n);
		memset(s + n, 0, NLA_ALIGN(n) - n);
		m->len += NLA_HDRLEN + NLA_ALIGN(n);
		mb_sync(m);
		break;
	case 3: case 4: case 5:
		/* Thousands of small attributes (the parser's loop). */
		build_template(t, m, chance(t, 50) ? T_ENABLE : T_SET);
		n = 500 + rnd_below(t, 15000);
		for (i = 0; i < n; i++)
			mb_u32(m, chance(t, 90) ? PREEMPTHINT_A_GRACE_US : (uint16_t)rnd_below(t, 40),
			       PREEMPTHINT_GRACE_US_MIN + rnd_below(t, 100));
		break;
	case 6: case 7:
		/* Attributes of the largest length nla_len can say, of any type. */
		build_template(t, m, pick_template(t));
		n = 1 + rnd_below(t, 3);
		for (i = 0; i < n; i++) {
			uint32_t len = 65535 - NLA_HDRLEN - rnd_below(t, 4);

			mb_attr(m, (uint16_t)rnd_below(t, PREEMPTHINT_A_MAX + 3), NULL, len);
			memset(m->p + m->len - NLA_ALIGN(len), 'x', len);
		}
		break;
	case 8:
		/* 64 KB .. 200 KB of zeros after a valid start. */
		build_template(t, m, pick_template(t));
		n = 65536 + rnd_below(t, 140000);
		mb_room(m, n);
		memset(m->p + m->len, 0, n);
		m->len += n;
		mb_sync(m);
		break;
	default:
		/* Beyond the socket's send buffer: the local stack must refuse it. */
		build_template(t, m, T_STATS);
		n = 215000 + rnd_below(t, 30000);
		mb_room(m, n);
		memset(m->p + m->len, 0x41, n);
		m->len += n;
		mb_sync(m);
		break;
	}
}

static void gen_bitflip(struct thr *t, struct mb *m)
{
	uint32_t n = 1 + rnd_below(t, 8), i;

	build_template(t, m, pick_template(t));
	for (i = 0; i < n; i++) {
		size_t at = rnd_below(t, (uint32_t)m->len);

		switch (rnd_below(t, 4)) {
		case 0: case 1:
			m->p[at] ^= (uint8_t)(1u << rnd_below(t, 8));
			break;
		case 2:
			m->p[at] = (uint8_t)rnd32(t);
			break;
		default:
			m->p[at] = chance(t, 50) ? 0 : 0xff;
			break;
		}
	}
	fence_type(m, 0);
}

static void gen_foreign(struct thr *t, struct mb *m)
{
	uint32_t k = rnd_below(t, 3);

	build_template(t, m, pick_template(t));
	if (k == 0)	/* NLMSG_NOOP .. the reserved control types */
		mb_nlh(m)->nlmsg_type = (uint16_t)(1 + rnd_below(t, NLMSG_MIN_TYPE - 1));
	else if (k == 1)	/* no generic netlink family has an id >= 1024 */
		mb_nlh(m)->nlmsg_type = (uint16_t)(1024 + rnd_below(t, 65536 - 1024));
	else	/* a reply or notification, not a request: ignored */
		mb_nlh(m)->nlmsg_flags &= (uint16_t)~NLM_F_REQUEST;
}

static void gen_batch(struct thr *t, struct mb *m)
{
	uint32_t n = 2 + rnd_below(t, 15), i;
	size_t start;

	for (i = 0; i < n; i++) {
		uint32_t k = rnd_below(t, 4);
		struct mb sub = { .p = m->p, .len = NLMSG_ALIGN(m->len) };

		start = sub.len;
		if (k == 0)
			build_template(t, &sub, pick_template(t));
		else if (k == 1)
			gen_malformed(t, &sub);
		else if (k == 2) {
			build_template(t, &sub, pick_template(t));
			for (uint32_t j = 0; j < 3; j++)
				sub.p[start + rnd_below(t, (uint32_t)(sub.len - start))] ^=
					(uint8_t)(1u << rnd_below(t, 8));
			fence_type(&sub, start);
		} else {
			build_template(t, &sub, chance(t, 50) ? T_STATS : T_DUMP);
		}
		m->len = sub.len;
		if (m->len > 64 * 1024)
			break;
	}
	t->batch_msgs += i < n ? i + 1 : n;
}

/* ---- valid requests on owned cgroups, checked against the model --------- */

static int valid_roundtrip(struct thr *t, struct mb *m, struct result *r, reply_fn fn, void *arg)
{
	int ret = nl_send(t->vfd, m->p, m->len);

	t->sent[CAT_VALID]++;
	t->bytes += m->len;
	if (ret) {
		t->sendfail[CAT_VALID][-ret < MAX_ERRNO ? -ret : MAX_ERRNO - 1]++;
		violation(t, "valid request: send failed: %s", strerror(-ret));
		return ret;
	}
	nl_drain(t->vfd, t->rbuf, r, fn, arg);
	account(t, CAT_VALID, r);
	if (r->enobufs)
		violation(t, "valid request: replies dropped (ENOBUFS)");
	return 0;
}

static void expect_ack(struct thr *t, const struct result *r, int want, const char *what)
{
	if (r->nerr != 1 || r->err != want)
		violation(t, "%s: want %s, got %s (%d error messages) %s", what,
			  want ? strerrorname_np(want) : "ACK",
			  r->nerr ? (r->err ? strerrorname_np(r->err) : "ACK") : "nothing", r->nerr,
			  r->extack);
}

static bool sane_pol(const struct pol *p)
{
	return !p->bad && p->path[0] == '/' && p->id && p->grace >= PREEMPTHINT_GRACE_US_MIN &&
	       p->grace <= PREEMPTHINT_GRACE_US_MAX && p->mode >= 1 &&
	       p->mode <= PREEMPTHINT_MODE_ALL && p->nstats == NSTATS;
}

/* A dump that was not interrupted must show this thread's cgroups as it left them. */
static void check_dump(struct thr *t, const struct pols *ps)
{
	int i, j, seen;

	for (i = 0; i < ps->n; i++) {
		if (!sane_pol(&ps->v[i]))
			violation(t, "dump: malformed policy entry %d (%s)", i, ps->v[i].path);
		for (j = 0; j < i; j++)
			if (ps->v[j].id == ps->v[i].id)
				violation(t, "dump: cgroup id %llu listed twice (%s, %s)",
					  (unsigned long long)ps->v[i].id, ps->v[j].path,
					  ps->v[i].path);
	}
	for (j = 0; j < t->nown; j++) {
		const struct own *o = &t->own[j];

		for (i = 0, seen = 0; i < ps->n; i++) {
			if (strcmp(ps->v[i].path, o->path))
				continue;
			seen++;
			if ((o->grace >= 0 && ps->v[i].grace != (uint32_t)o->grace) ||
			    ps->v[i].mode != o->mode)
				violation(t, "dump: %s has grace %u mode %u, want %d %u", o->path,
					  ps->v[i].grace, ps->v[i].mode, o->grace, o->mode);
		}
		if (seen != (o->on ? 1 : 0))
			violation(t, "dump: %s listed %d times, want %d", o->path, seen, o->on);
	}
}

static void check_stats(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[PREEMPTHINT_A_MAX + 1];
	struct thr *t = arg;
	uint64_t v;

	parse_attrs(nlh, tb, PREEMPTHINT_A_MAX);
	if (!tb[PREEMPTHINT_A_VERSION] ||
	    strncmp(nla_payload(tb[PREEMPTHINT_A_VERSION]), PREEMPTHINT_VERSION,
		    (size_t)nla_plen(tb[PREEMPTHINT_A_VERSION])))
		violation(t, "stats: no or wrong version");
	if (!tb[PREEMPTHINT_A_ENABLED] || nla_uint(tb[PREEMPTHINT_A_ENABLED]) > 1)
		violation(t, "stats: ENABLED missing or not 0/1");
	v = tb[PREEMPTHINT_A_GRACE_US] ? nla_uint(tb[PREEMPTHINT_A_GRACE_US]) : 0;
	if (v < PREEMPTHINT_GRACE_US_MIN || v > PREEMPTHINT_GRACE_US_MAX)
		violation(t, "stats: default grace %llu out of range", (unsigned long long)v);
	if (!tb[PREEMPTHINT_A_REGISTERED] || !tb[PREEMPTHINT_A_STATS])
		violation(t, "stats: REGISTERED or STATS missing");
}

static void valid_op(struct thr *t)
{
	struct mb m = { .p = t->buf };
	uint32_t r = rnd_below(t, 100);
	struct own *o = &t->own[rnd_below(t, (uint32_t)t->nown)];
	struct result res;
	char what[128];

	if (r < 30) {
		int grace = chance(t, 80) ? (int)(PREEMPTHINT_GRACE_US_MIN +
			    rnd_below(t, PREEMPTHINT_GRACE_US_MAX - PREEMPTHINT_GRACE_US_MIN + 1)) : -1;
		uint32_t mode = chance(t, 70) ? 1 + rnd_below(t, PREEMPTHINT_MODE_ALL) : 0;

		mb_start(&m, family, NLM_F_REQUEST | NLM_F_ACK, ++t->seq, PREEMPTHINT_CMD_ENABLE);
		mb_str(&m, PREEMPTHINT_A_CGROUP_PATH, o->path);
		if (grace >= 0)
			mb_u32(&m, PREEMPTHINT_A_GRACE_US, (uint32_t)grace);
		if (mode)
			mb_u32(&m, PREEMPTHINT_A_MODE, mode);
		if (valid_roundtrip(t, &m, &res, NULL, NULL))
			return;
		snprintf(what, sizeof(what), "enable %s", o->path);
		expect_ack(t, &res, 0, what);
		o->on = true;
		o->grace = grace;
		o->mode = mode ? mode : PREEMPTHINT_MODE_HINT;
	} else if (r < 55) {
		mb_start(&m, family, NLM_F_REQUEST | NLM_F_ACK, ++t->seq, PREEMPTHINT_CMD_DISABLE);
		mb_str(&m, PREEMPTHINT_A_CGROUP_PATH, o->path);
		if (valid_roundtrip(t, &m, &res, NULL, NULL))
			return;
		snprintf(what, sizeof(what), "disable %s (%s)", o->path, o->on ? "on" : "off");
		expect_ack(t, &res, o->on ? 0 : ENOENT, what);
		o->on = false;
	} else if (r < 75) {
		struct pols ps = { 0 };

		mb_start(&m, family, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, ++t->seq,
			 PREEMPTHINT_CMD_GET_POLICY);
		if (valid_roundtrip(t, &m, &res, pols_add, &ps) == 0) {
			t->dumps++;
			if (!res.done || res.done_err || res.nerr)
				violation(t, "dump: ended badly (done %d, err %s, %d errors %s)",
					  res.done, strerrorname_np(res.done_err), res.nerr,
					  res.extack);
			else if (res.intr)
				t->dumps_intr++;	/* changed while we read: retry is the contract */
			else
				check_dump(t, &ps);
		}
		free(ps.v);
	} else if (r < 85) {
		mb_start(&m, family, NLM_F_REQUEST | NLM_F_ACK, ++t->seq, PREEMPTHINT_CMD_GET_STATS);
		if (valid_roundtrip(t, &m, &res, check_stats, t))
			return;
		if (res.replies != 1)
			violation(t, "stats: %d replies", res.replies);
		expect_ack(t, &res, 0, "stats");
	} else if (r < 90) {
		mb_start(&m, family, NLM_F_REQUEST | NLM_F_ACK, ++t->seq, PREEMPTHINT_CMD_SET);
		if (chance(t, 10)) {
			uint8_t on = (uint8_t)rnd_below(t, 2);

			mb_attr(&m, PREEMPTHINT_A_ENABLED, &on, 1);
		} else {
			mb_u32(&m, PREEMPTHINT_A_GRACE_US, PREEMPTHINT_GRACE_US_MIN +
			       rnd_below(t, PREEMPTHINT_GRACE_US_MAX - PREEMPTHINT_GRACE_US_MIN + 1));
		}
		if (valid_roundtrip(t, &m, &res, NULL, NULL) == 0)
			expect_ack(t, &res, 0, "set");
	} else {
		mb_start(&m, family, NLM_F_REQUEST | NLM_F_ACK, ++t->seq, PREEMPTHINT_CMD_RESET_STATS);
		if (valid_roundtrip(t, &m, &res, NULL, NULL) == 0)
			expect_ack(t, &res, 0, "reset-stats");
	}
}

/* ---- the storm ---------------------------------------------------------- */

/*
 * A fresh fuzz socket with random options: extended ACKs or not, capped
 * ACKs or not, a receive buffer too small for big replies now and then.
 * Sometimes a dump is started on the old one and left unread when it is
 * closed: the kernel must end it and drop the module reference it holds.
 */
static void new_fuzz_socket(struct thr *t)
{
	if (t->ffd >= 0) {
		if (chance(t, 30)) {
			struct mb m = { .p = t->buf };

			build_template(t, &m, T_DUMP);
			if (nl_send(t->ffd, m.p, m.len) == 0)
				t->abandoned++;
		}
		close(t->ffd);
	}
	t->ffd = nl_open(chance(t, 50), chance(t, 50),
			 chance(t, 20) ? (int)(2048 + rnd_below(t, 16384)) : 4 << 20);
	if (t->ffd < 0) {
		violation(t, "cannot open a netlink socket: %s", strerror(-t->ffd));
		exit(2);
	}
	t->sockets++;
}

static void fuzz_op(struct thr *t)
{
	static const enum cat pick[] = {
		CAT_RANDOM, CAT_RANDOM, CAT_RANDOM,
		CAT_TRUNCATED, CAT_TRUNCATED, CAT_TRUNCATED,
		CAT_MALFORMED, CAT_MALFORMED, CAT_MALFORMED, CAT_MALFORMED, CAT_MALFORMED, CAT_MALFORMED,
		CAT_BITFLIP, CAT_BITFLIP, CAT_BITFLIP, CAT_BITFLIP,
		CAT_BATCH, CAT_FOREIGN,
	};
	struct mb m = { .p = t->buf };
	enum cat c;
	struct result r;
	int ret;

	/* 1 in 50 oversized: each costs up to 200 KB of copying. */
	c = chance(t, 2) ? CAT_OVERSIZED : pick[rnd_below(t, sizeof(pick) / sizeof(pick[0]))];
	switch (c) {
	case CAT_RANDOM: gen_random(t, &m); break;
	case CAT_TRUNCATED: gen_truncated(t, &m); break;
	case CAT_MALFORMED: gen_malformed(t, &m); break;
	case CAT_OVERSIZED: gen_oversized(t, &m); break;
	case CAT_BITFLIP: gen_bitflip(t, &m); break;
	case CAT_BATCH: gen_batch(t, &m); break;
	default: gen_foreign(t, &m); break;
	}
	t->sent[c]++;
	t->bytes += m.len;
	ret = nl_send(t->ffd, m.p, m.len);
	if (ret) {
		t->sendfail[c][-ret < MAX_ERRNO ? -ret : MAX_ERRNO - 1]++;
		return;
	}
	nl_drain(t->ffd, t->rbuf, &r, NULL, NULL);
	account(t, c, &r);
}

static void *storm_thread(void *arg)
{
	struct thr *t = arg;
	unsigned long until_new_socket = 0;

	t->ffd = -1;
	t->vfd = nl_open(true, true, 4 << 20);
	if (t->vfd < 0) {
		violation(t, "cannot open a netlink socket: %s", strerror(-t->vfd));
		return NULL;
	}
	while (t->fuzz_left || t->valid_left) {
		/* Valid requests spread evenly through the run. */
		if (t->valid_left && rnd_below(t, (uint32_t)(t->fuzz_left + t->valid_left)) < t->valid_left) {
			t->valid_left--;
			valid_op(t);
			continue;
		}
		if (!until_new_socket--) {
			new_fuzz_socket(t);
			until_new_socket = 200 + rnd_below(t, 400);
		}
		t->fuzz_left--;
		fuzz_op(t);
	}
	close(t->ffd);
	close(t->vfd);
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void mkdir_cg(const char *path)
{
	char full[4200], *p;

	snprintf(full, sizeof(full), "%s%s", CG_ROOT, path);
	for (p = full + strlen(CG_ROOT) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		(void)mkdir(full, 0755);
		*p = '/';
	}
	if (mkdir(full, 0755) && errno != EEXIST) {
		fprintf(stderr, "nlfuzz: mkdir %s: %s\n", full, strerror(errno));
		exit(2);
	}
}

/* One request on a fresh socket, for the final settings; true on an ACK. */
static bool simple_request(struct mb *m, uint8_t *rbuf, reply_fn fn, void *arg, struct result *r)
{
	int fd = nl_open(true, true, 4 << 20);
	bool ok;

	if (fd < 0)
		return false;
	ok = nl_send(fd, m->p, m->len) == 0;
	if (ok)
		nl_drain(fd, rbuf, r, fn, arg);
	close(fd);
	return ok;
}

/* After the storm: the list as a whole, and every owned cgroup against the models. */
static void final_check(struct thr *th, uint8_t *buf, uint8_t *rbuf)
{
	struct mb m = { .p = buf };
	struct pols ps = { 0 };
	struct result r;
	int i, j, tries, other = 0, own = 0;
	uint8_t on = 1;

	/* The storm left the global knobs anywhere: set them to something known. */
	mb_start(&m, family, NLM_F_REQUEST | NLM_F_ACK, 1, PREEMPTHINT_CMD_SET);
	mb_attr(&m, PREEMPTHINT_A_ENABLED, &on, 1);
	mb_u32(&m, PREEMPTHINT_A_GRACE_US, PREEMPTHINT_GRACE_US_DEFAULT);
	if (!simple_request(&m, rbuf, NULL, NULL, &r) || r.nerr != 1 || r.err)
		violation(NULL, "final set: no ACK");

	for (tries = 0; tries < 5; tries++) {
		free(ps.v);
		memset(&ps, 0, sizeof(ps));
		m.len = 0;
		mb_start(&m, family, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, 2, PREEMPTHINT_CMD_GET_POLICY);
		if (simple_request(&m, rbuf, pols_add, &ps, &r) && r.done && !r.intr)
			break;
	}
	if (tries == 5 || r.done_err || r.nerr) {
		violation(NULL, "final dump failed (%d tries, %s %s)", tries,
			  strerrorname_np(r.done_err ?: r.err) ?: "?", r.extack);
		return;
	}
	for (i = 0; i < ps.n; i++) {
		const struct pol *p = &ps.v[i];
		char full[4200];
		struct stat st;

		if (!sane_pol(p))
			violation(NULL, "final: malformed entry %d (%s)", i, p->path);
		snprintf(full, sizeof(full), "%s%s", CG_ROOT, p->path);
		if (stat(full, &st) || (uint64_t)st.st_ino != p->id)
			violation(NULL, "final: %s (id %llu) is not an existing cgroup with that id",
				  p->path, (unsigned long long)p->id);
		for (j = 0; j < i; j++)
			if (ps.v[j].id == p->id)
				violation(NULL, "final: id %llu listed twice", (unsigned long long)p->id);
		if (strncmp(p->path, prefix, strlen(prefix)) == 0 &&
		    strncmp(p->path + strlen(prefix), "/own/", 5) == 0)
			own++;
		else
			other++;
		printf("policy %s %llu %u %u\n", p->path, (unsigned long long)p->id, p->grace, p->mode);
	}
	for (i = 0; i < nthreads; i++)
		check_dump(&th[i], &ps);
	printf("final_policies=%d\nfinal_own=%d\nfinal_other=%d\n", ps.n, own, other);
	free(ps.v);
}

static void print_histogram(const struct thr *th, double secs)
{
	unsigned long sent[NCAT] = { 0 }, out[NCAT][NOUT] = { { 0 } }, fail[NCAT][MAX_ERRNO] = { { 0 } };
	unsigned long total = 0, fuzz = 0, bytes = 0, batch = 0, socks = 0, aband = 0, dumps = 0,
		      intr = 0, tot_out[NOUT] = { 0 };
	int i, c, e;

	for (i = 0; i < nthreads; i++) {
		for (c = 0; c < NCAT; c++) {
			sent[c] += th[i].sent[c];
			for (e = 0; e < NOUT; e++)
				out[c][e] += th[i].out[c][e];
			for (e = 0; e < MAX_ERRNO; e++)
				fail[c][e] += th[i].sendfail[c][e];
		}
		bytes += th[i].bytes;
		batch += th[i].batch_msgs;
		socks += th[i].sockets;
		aband += th[i].abandoned;
		dumps += th[i].dumps;
		intr += th[i].dumps_intr;
	}
	for (c = 0; c < NCAT; c++) {
		total += sent[c];
		if (c != CAT_VALID)
			fuzz += sent[c];
		printf("sent.%s=%lu\n", cat_name[c], sent[c]);
	}
	printf("sent.total=%lu\nsent.fuzz=%lu\nbatch_messages=%lu\nbytes=%lu\n", total, fuzz, batch,
	       bytes);
	printf("sockets=%lu\nabandoned_dumps=%lu\nvalid_dumps=%lu\nvalid_dumps_interrupted=%lu\n",
	       socks, aband, dumps, intr);
	for (c = 0; c < NCAT; c++) {
		for (e = 0; e < NOUT; e++) {
			const char *name = e == 0 ? "ACK" : e == OUT_REPLY ? "reply" :
					   e == OUT_DONE ? "DONE" : e == OUT_SILENT ? "silent" :
					   e == OUT_DROPPED ? "ENOBUFS-dropped" : strerrorname_np(e);

			tot_out[e] += out[c][e];
			if (out[c][e])
				printf("answer.%s.%s=%lu\n", cat_name[c], name ? name : "?", out[c][e]);
		}
		for (e = 0; e < MAX_ERRNO; e++)
			if (fail[c][e])
				printf("sendfail.%s.%s=%lu\n", cat_name[c], strerrorname_np(e), fail[c][e]);
	}
	for (e = 0; e < NOUT; e++) {
		const char *name = e == 0 ? "ACK" : e == OUT_REPLY ? "reply" : e == OUT_DONE ? "DONE" :
				   e == OUT_SILENT ? "silent" : e == OUT_DROPPED ? "ENOBUFS-dropped" :
				   strerrorname_np(e);

		if (tot_out[e])
			printf("answer.all.%s=%lu\n", name ? name : "?", tot_out[e]);
	}
	printf("seconds=%.1f\nrate=%.0f\n", secs, (double)total / secs);
}

static int cmd_storm(uint64_t seed, unsigned long messages, unsigned long valid)
{
	struct thr *th = calloc((size_t)nthreads, sizeof(*th));
	uint8_t *buf = malloc(MSG_CAP), *rbuf = malloc(RBUF_SIZE);
	double t0, secs;
	char path[128];
	int i, j;

	if (!th || !buf || !rbuf)
		abort();
	printf("seed=%llu\nthreads=%d\n", (unsigned long long)seed, nthreads);
	printf("# replay: nlfuzz storm --seed %llu --threads %d --messages %lu --valid %lu --cgroups %d --prefix %s\n",
	       (unsigned long long)seed, nthreads, messages, valid, own_per_thread, prefix);
	fflush(stdout);
	for (j = 0; j < NBAIT; j++) {
		snprintf(path, sizeof(path), "%s/bait/k%d", prefix, j);
		mkdir_cg(path);
	}
	for (i = 0; i < nthreads; i++) {
		struct thr *t = &th[i];

		t->idx = i;
		t->rnd = seed ^ (0x9e3779b97f4a7c15ull * (uint64_t)(i + 1));
		t->buf = malloc(MSG_CAP);
		t->rbuf = malloc(RBUF_SIZE);
		if (!t->buf || !t->rbuf)
			abort();
		t->fuzz_left = messages / (unsigned long)nthreads +
			       (i < (int)(messages % (unsigned long)nthreads));
		t->valid_left = valid / (unsigned long)nthreads +
				(i < (int)(valid % (unsigned long)nthreads));
		t->nown = own_per_thread;
		for (j = 0; j < t->nown; j++) {
			snprintf(t->own[j].path, sizeof(t->own[j].path), "%s/own/t%d/c%d", prefix, i, j);
			mkdir_cg(t->own[j].path);
			t->own[j].mode = PREEMPTHINT_MODE_HINT;
		}
	}
	t0 = now_s();
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&th[i].tid, NULL, storm_thread, &th[i])) {
			perror("pthread_create");
			return 2;
		}
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i].tid, NULL);
	secs = now_s() - t0;
	print_histogram(th, secs);
	final_check(th, buf, rbuf);
	printf("violations=%lu\n", total_violations);
	for (i = 0; i < nthreads; i++) {
		free(th[i].buf);
		free(th[i].rbuf);
	}
	free(th);
	free(buf);
	free(rbuf);
	return total_violations ? 1 : 0;
}

/* ---- probe: exact answers to hand-made messages ------------------------ */

static int probe_failures;

/*
 * Send @m on a fresh socket and compare the first answer with @want: an
 * errno, 0 for an ACK, or -1 for "no answer at all".
 */
static void probe(struct mb *m, int want, const char *what)
{
	static uint8_t rbuf[RBUF_SIZE];
	struct result r = { 0 };
	bool ok;
	char got[64];

	if (!simple_request(m, rbuf, NULL, NULL, &r)) {
		snprintf(got, sizeof(got), "send failed");
		ok = false;
	} else if (!r.nerr && !r.replies && !r.done) {
		snprintf(got, sizeof(got), "no answer");
		ok = want == -1;
	} else {
		snprintf(got, sizeof(got), "%s", !r.nerr ? "a reply" : r.err ? strerrorname_np(r.err) : "ACK");
		ok = r.nerr == 1 && r.err == want;
	}
	printf("%sok - %s: %s (got %s%s%s)\n", ok ? "" : "not ", what,
	       want < 0 ? "no answer" : want ? strerrorname_np(want) : "ACK", got,
	       r.extack[0] ? ": " : "", r.extack);
	if (!ok)
		probe_failures++;
	m->len = 0;
}

static struct mb *req(struct mb *m, uint8_t cmd, uint16_t extra_flags)
{
	m->len = 0;
	mb_start(m, family, NLM_F_REQUEST | NLM_F_ACK | extra_flags, 1, cmd);
	return m;
}

/* A cgroup path of about @len characters: components of 200, nested. */
static void deep_path(char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%s/deep", prefix);

	while (n + 202 < len) {
		buf[n++] = '/';
		memset(buf + n, 'd', 200);
		n += 200;
	}
	buf[n] = '\0';
}

static int cmd_probe(void)
{
	static uint8_t buf[MSG_CAP], rbuf[RBUF_SIZE];
	struct mb mm = { .p = buf }, *m = &mm;
	char path[4200], bait[128];
	struct pols ps = { 0 };
	struct result r;
	uint8_t u8;
	uint16_t u16 = 100;
	uint64_t u64 = 1;
	int i, found;

	snprintf(bait, sizeof(bait), "%s/bait/k0", prefix);
	mkdir_cg(bait);

	mb_u32(req(m, PREEMPTHINT_CMD_ENABLE, 0), PREEMPTHINT_A_GRACE_US, 100);
	probe(m, EINVAL, "enable without a cgroup path");
	mb_str(req(m, PREEMPTHINT_CMD_ENABLE, 0), PREEMPTHINT_A_CGROUP_PATH, bait + 1);
	probe(m, EINVAL, "enable with a relative path");
	mb_str(req(m, PREEMPTHINT_CMD_ENABLE, 0), PREEMPTHINT_A_CGROUP_PATH, "/ph-fz-no-such");
	probe(m, ENOENT, "enable a cgroup that does not exist");
	mb_str(req(m, PREEMPTHINT_CMD_DISABLE, 0), PREEMPTHINT_A_CGROUP_PATH, bait);
	probe(m, ENOENT, "disable a cgroup that is not enabled");
	mb_str(req(m, PREEMPTHINT_CMD_ENABLE, 0), PREEMPTHINT_A_CGROUP_PATH, bait);
	mb_u32(m, PREEMPTHINT_A_GRACE_US, PREEMPTHINT_GRACE_US_MIN - 1);
	probe(m, ERANGE, "grace below the minimum");
	mb_str(req(m, PREEMPTHINT_CMD_ENABLE, 0), PREEMPTHINT_A_CGROUP_PATH, bait);
	mb_u32(m, PREEMPTHINT_A_GRACE_US, PREEMPTHINT_GRACE_US_MAX + 1);
	probe(m, ERANGE, "grace above the maximum");
	mb_str(req(m, PREEMPTHINT_CMD_ENABLE, 0), PREEMPTHINT_A_CGROUP_PATH, bait);
	mb_u32(m, PREEMPTHINT_A_MODE, 0);
	probe(m, ERANGE, "mode 0");
	mb_str(req(m, PREEMPTHINT_CMD_ENABLE, 0), PREEMPTHINT_A_CGROUP_PATH, bait);
	mb_u32(m, PREEMPTHINT_A_MODE, PREEMPTHINT_MODE_ALL + 1);
	probe(m, ERANGE, "an unknown mode bit");
	u8 = 2;
	mb_attr(req(m, PREEMPTHINT_CMD_SET, 0), PREEMPTHINT_A_ENABLED, &u8, 1);
	probe(m, ERANGE, "set enabled=2");
	req(m, PREEMPTHINT_CMD_SET, 0);
	probe(m, EINVAL, "set with nothing to set");
	mb_str(req(m, PREEMPTHINT_CMD_ENABLE, 0), PREEMPTHINT_A_CGROUP_PATH, bait);
	mb_attr(m, PREEMPTHINT_A_GRACE_US, &u16, sizeof(u16));
	probe(m, EINVAL, "a u32 attribute of 2 bytes");
	mb_str(req(m, PREEMPTHINT_CMD_ENABLE, 0), PREEMPTHINT_A_CGROUP_PATH, bait);
	mb_u32(m, PREEMPTHINT_A_MAX + 1, 1);
	probe(m, EINVAL, "an attribute type past the last one");
	mb_str(req(m, PREEMPTHINT_CMD_ENABLE, 0), PREEMPTHINT_A_CGROUP_PATH, bait);
	mb_attr(m, PREEMPTHINT_A_CGROUP_ID, &u64, sizeof(u64));
	probe(m, EINVAL, "an output-only attribute (CGROUP_ID) in a request");
	mb_attr(req(m, PREEMPTHINT_CMD_ENABLE, 0), PREEMPTHINT_A_CGROUP_PATH, bait, strlen(bait));
	probe(m, EINVAL, "a path without its NUL");
	mb_attr(req(m, PREEMPTHINT_CMD_ENABLE, 0), PREEMPTHINT_A_CGROUP_PATH, "", 0);
	probe(m, EINVAL, "an empty path attribute");
	memset(path, 'a', 4096);
	path[0] = '/';
	path[4096] = '\0';
	mb_str(req(m, PREEMPTHINT_CMD_ENABLE, 0), PREEMPTHINT_A_CGROUP_PATH, path);
	probe(m, EINVAL, "a path of 4096 characters (the limit is 4095)");
	mb_str(req(m, PREEMPTHINT_CMD_ENABLE, 0), PREEMPTHINT_A_CGROUP_PATH, bait);
	mb_u32(m, PREEMPTHINT_A_GRACE_US | NLA_F_NESTED, 100);
	probe(m, EINVAL, "a u32 attribute flagged NLA_F_NESTED");
	mb_str(req(m, PREEMPTHINT_CMD_ENABLE, 0), PREEMPTHINT_A_CGROUP_PATH, bait);
	mb_raw(m, "\xa5\xa5", 2);
	probe(m, EINVAL, "2 bytes of trailing garbage");
	mb_str(req(m, PREEMPTHINT_CMD_ENABLE, 0), PREEMPTHINT_A_CGROUP_PATH, bait);
	((struct nlattr *)(m->p + NLMSG_HDRLEN + GENL_HDRLEN))->nla_len = 2;
	probe(m, EINVAL, "an attribute with nla_len 2");
	req(m, PREEMPTHINT_CMD_GET_STATS, 0);
	m->len -= 2;
	mb_sync(m);
	probe(m, EINVAL, "a message shorter than the genetlink header");
	req(m, 0, 0);
	probe(m, EOPNOTSUPP, "command 0");
	req(m, PREEMPTHINT_CMD_EVENT_STATS, 0);
	probe(m, EOPNOTSUPP, "the EVENT_STATS command (multicast only)");
	req(m, 200, 0);
	probe(m, EOPNOTSUPP, "command 200");
	req(m, PREEMPTHINT_CMD_GET_POLICY, 0);
	probe(m, EOPNOTSUPP, "GET_POLICY without NLM_F_DUMP");
	req(m, PREEMPTHINT_CMD_GET_STATS, NLM_F_DUMP);
	probe(m, EOPNOTSUPP, "GET_STATS with NLM_F_DUMP");
	req(m, PREEMPTHINT_CMD_GET_STATS, 0);
	((struct genlmsghdr *)NLMSG_DATA(mb_nlh(m)))->reserved = 1;
	probe(m, EINVAL, "a non-zero genetlink reserved field");
	mb_str(req(m, PREEMPTHINT_CMD_ENABLE, NLM_F_EXCL), PREEMPTHINT_A_CGROUP_PATH, bait);
	probe(m, EINVAL, "NLM_F_EXCL on a request (meaningless for this family)");
	req(m, PREEMPTHINT_CMD_RESET_STATS, 0x20);
	probe(m, EINVAL, "an undefined nlmsg_flags bit (0x20)");
	req(m, PREEMPTHINT_CMD_GET_STATS, 0);
	mb_nlh(m)->nlmsg_type = 0x7fff;
	probe(m, ENOENT, "a family id no family has");
	/* Not a request: never reaches the family (an ACK, if asked for, is all). */
	req(m, PREEMPTHINT_CMD_GET_STATS, 0);
	mb_nlh(m)->nlmsg_flags &= (uint16_t)~(NLM_F_REQUEST | NLM_F_ACK);
	probe(m, -1, "GET_STATS without NLM_F_REQUEST is not answered");

	/* None of that may have changed anything. */
	req(m, PREEMPTHINT_CMD_GET_POLICY, NLM_F_DUMP);
	found = simple_request(m, rbuf, pols_add, &ps, &r) && r.done && !r.done_err;
	printf("%sok - after the bad requests no policy exists (%d listed)\n",
	       found && ps.n == 0 ? "" : "not ", ps.n);
	probe_failures += !(found && ps.n == 0);
	free(ps.v);
	memset(&ps, 0, sizeof(ps));

	/*
	 * A path near the longest there can be (4095 with the NUL) must still
	 * be listed by a dump on a socket that never read anything before
	 * (the kernel sizes the first skb of a dump without knowing the
	 * reader's buffer), and by the events (the test script checks those).
	 */
	deep_path(path, 4000);
	mkdir_cg(path);
	mb_str(req(m, PREEMPTHINT_CMD_ENABLE, 0), PREEMPTHINT_A_CGROUP_PATH, path);
	probe(m, 0, "enable a cgroup with a 4000-character path");
	mb_str(req(m, PREEMPTHINT_CMD_ENABLE, 0), PREEMPTHINT_A_CGROUP_PATH, bait);
	probe(m, 0, "enable a second cgroup after it");
	req(m, PREEMPTHINT_CMD_GET_POLICY, NLM_F_DUMP);
	found = 0;
	if (simple_request(m, rbuf, pols_add, &ps, &r))
		for (i = 0; i < ps.n; i++)
			found += !strcmp(ps.v[i].path, path) || !strcmp(ps.v[i].path, bait);
	printf("%sok - a dump on a fresh socket lists both (%d of 2 listed, dump %s%s%s)\n",
	       found == 2 && r.done && !r.done_err ? "" : "not ", found,
	       r.done_err ? strerrorname_np(r.done_err) : r.done ? "complete" : "unfinished",
	       r.extack[0] ? ": " : "", r.extack);
	probe_failures += !(found == 2 && r.done && !r.done_err);
	free(ps.v);
	printf("deep_path=%s\n", path);
	return probe_failures ? 1 : 0;
}

/*
 * perm: what this caller may do. Prints key=value lines: family (the id,
 * or the errno of the nlctrl lookup), then one line per command with the
 * answer (ACK, an errno name, or none), and join (the answer to joining
 * the events group), events (how many arrived in --listen seconds).
 * --family-id/--group-id use ids learnt elsewhere when the lookup fails.
 */
static int cmd_perm(int family_id, int group_id, const char *path, int listen_s)
{
	static uint8_t buf[MSG_CAP], rbuf[RBUF_SIZE];
	static const struct {
		const char *name;
		uint8_t cmd;
		uint16_t flags;
	} ops[] = {
		{ "enable", PREEMPTHINT_CMD_ENABLE, 0 },
		{ "disable", PREEMPTHINT_CMD_DISABLE, 0 },
		{ "dump", PREEMPTHINT_CMD_GET_POLICY, NLM_F_DUMP },
		{ "stats", PREEMPTHINT_CMD_GET_STATS, 0 },
		{ "set", PREEMPTHINT_CMD_SET, 0 },
		{ "reset", PREEMPTHINT_CMD_RESET_STATS, 0 },
	};
	struct mb mm = { .p = buf }, *m = &mm;
	int grp, id = resolve_family(&grp), fd, events = 0;
	struct result r;
	unsigned int i;

	if (id >= 0)
		printf("family=%d\ngroup=%d\n", id, grp);
	else
		printf("family=%s\n", strerrorname_np(-id));
	family = (uint16_t)(id >= 0 ? id : family_id);
	if (grp < 0)
		grp = group_id;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		req(m, ops[i].cmd, ops[i].flags);
		if (ops[i].cmd == PREEMPTHINT_CMD_ENABLE || ops[i].cmd == PREEMPTHINT_CMD_DISABLE)
			mb_str(m, PREEMPTHINT_A_CGROUP_PATH, path);
		if (ops[i].cmd == PREEMPTHINT_CMD_SET)
			mb_u32(m, PREEMPTHINT_A_GRACE_US, PREEMPTHINT_GRACE_US_MAX);
		if (!simple_request(m, rbuf, NULL, NULL, &r))
			printf("%s=sendfail\n", ops[i].name);
		else
			printf("%s=%s\n", ops[i].name,
			       r.nerr ? (r.err ? strerrorname_np(r.err) : "ACK") :
			       r.done ? (r.done_err ? strerrorname_np(r.done_err) : "DONE") :
			       r.replies ? "reply" : "none");
	}
	if (grp < 0) {
		printf("join=nogroup\n");
		return 0;
	}
	fd = nl_open(false, false, 1 << 20);
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp))) {
		printf("join=%s\n", strerrorname_np(errno));
	} else {
		double end = now_s() + listen_s;
		struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };

		printf("join=OK\n");
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		while (now_s() < end) {
			ssize_t n = recv(fd, rbuf, RBUF_SIZE, 0);

			if (n > 0)
				events++;
		}
		printf("events=%d\n", events);
	}
	close(fd);
	return 0;
}

/* clear: disable every policy by the path it is listed under; none may remain. */
static int cmd_clear(void)
{
	static uint8_t buf[MSG_CAP], rbuf[RBUF_SIZE];
	struct mb mm = { .p = buf }, *m = &mm;
	struct pols ps = { 0 };
	struct result r;
	int i, failed = 0;

	req(m, PREEMPTHINT_CMD_GET_POLICY, NLM_F_DUMP);
	if (!simple_request(m, rbuf, pols_add, &ps, &r) || !r.done || r.done_err)
		return 1;
	for (i = 0; i < ps.n; i++) {
		mb_str(req(m, PREEMPTHINT_CMD_DISABLE, 0), PREEMPTHINT_A_CGROUP_PATH, ps.v[i].path);
		if (!simple_request(m, rbuf, NULL, NULL, &r) || r.nerr != 1 || r.err) {
			printf("# disable %s: %s\n", ps.v[i].path, r.err ? strerrorname_np(r.err) : "?");
			failed++;
		}
	}
	printf("cleared=%d\nclear_failed=%d\n", ps.n, failed);
	free(ps.v);
	memset(&ps, 0, sizeof(ps));
	req(m, PREEMPTHINT_CMD_GET_POLICY, NLM_F_DUMP);
	if (!simple_request(m, rbuf, pols_add, &ps, &r) || !r.done || r.done_err)
		return 1;
	printf("remaining=%d\n", ps.n);
	i = ps.n;
	free(ps.v);
	return failed || i ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: nlfuzz probe [--prefix P]\n"
		"       nlfuzz storm [--seed S] [--threads T] [--messages N] [--valid V] [--cgroups K] [--prefix P]\n"
		"       nlfuzz clear\n"
		"       nlfuzz perm [--family-id N] [--group-id G] [--path CGROUP] [--listen SEC]\n");
	exit(64);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ "messages", required_argument, NULL, 'n' },
		{ "valid", required_argument, NULL, 'v' },
		{ "cgroups", required_argument, NULL, 'k' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "family-id", required_argument, NULL, 'f' },
		{ "group-id", required_argument, NULL, 'g' },
		{ "path", required_argument, NULL, 'P' },
		{ "listen", required_argument, NULL, 'l' },
		{ 0 },
	};
	unsigned long messages = 100000, valid = 3000;
	int opt, id, grp, family_id = -1, group_id = -1, listen_s = 0;
	const char *cmd, *path = "/";
	uint64_t seed = 0;
	bool have_seed = false;

	if (argc < 2)
		usage();
	cmd = argv[1];
	optind = 2;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 's': seed = strtoull(optarg, NULL, 0); have_seed = true; break;
		case 't': nthreads = atoi(optarg); break;
		case 'n': messages = strtoul(optarg, NULL, 0); break;
		case 'v': valid = strtoul(optarg, NULL, 0); break;
		case 'k': own_per_thread = atoi(optarg); break;
		case 'p': prefix = optarg; break;
		case 'f': family_id = atoi(optarg); break;
		case 'g': group_id = atoi(optarg); break;
		case 'P': path = optarg; break;
		case 'l': listen_s = atoi(optarg); break;
		default: usage();
		}
	}
	if (nthreads < 1 || nthreads > 64 || own_per_thread < 1 || own_per_thread > MAX_OWN)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "perm"))
		return cmd_perm(family_id, group_id, path, listen_s);

	id = resolve_family(&grp);
	if (id < 0) {
		fprintf(stderr, "nlfuzz: cannot resolve the %s family: %s\n", PREEMPTHINT_GENL_NAME,
			strerror(-id));
		return 2;
	}
	family = (uint16_t)id;
	printf("family=%d\n", id);
	if (!strcmp(cmd, "probe"))
		return cmd_probe();
	if (!strcmp(cmd, "clear"))
		return cmd_clear();
	if (strcmp(cmd, "storm"))
		usage();
	if (!have_seed && getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (uint64_t)time(NULL);
	return cmd_storm(seed, messages, valid);
}
