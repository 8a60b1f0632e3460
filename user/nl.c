// SPDX-License-Identifier: GPL-2.0
/* libnl-3 plumbing for the "preempthint" generic netlink family. */
#include <errno.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>

#include <netlink/genl/ctrl.h>
#include <netlink/msg.h>

#include "nl.h"

/* Room for a 4095-byte cgroup path and the headers; libnl's default is a page. */
#define PH_NL_MSG_SIZE 8192

static const struct nla_policy ph_nl_policy[PREEMPTHINT_A_MAX + 1] = {
	[PREEMPTHINT_A_CGROUP_PATH] = { .type = NLA_STRING },
	[PREEMPTHINT_A_CGROUP_ID] = { .type = NLA_U64 },
	[PREEMPTHINT_A_GRACE_US] = { .type = NLA_U32 },
	[PREEMPTHINT_A_MODE] = { .type = NLA_U32 },
	[PREEMPTHINT_A_STATS] = { .type = NLA_NESTED },
	[PREEMPTHINT_A_VERSION] = { .type = NLA_STRING },
	[PREEMPTHINT_A_ENABLED] = { .type = NLA_U8 },
	[PREEMPTHINT_A_REGISTERED] = { .type = NLA_U32 },
	[PREEMPTHINT_A_TIME_NS] = { .type = NLA_U64 },
	[PREEMPTHINT_A_PREEMPT_MODEL] = { .type = NLA_STRING },
};

/* PREEMPTHINT_STAT_PAD is left out: it is alignment padding for the u64s. */
static const struct nla_policy ph_nl_stats_policy[PREEMPTHINT_STAT_MAX + 1] = {
	[PREEMPTHINT_STAT_GRANTS] = { .type = NLA_U64 },
	[PREEMPTHINT_STAT_EXPIRIES] = { .type = NLA_U64 },
	[PREEMPTHINT_STAT_YIELDS] = { .type = NLA_U64 },
	[PREEMPTHINT_STAT_REFUSALS] = { .type = NLA_U64 },
	[PREEMPTHINT_STAT_LH_PREEMPTIONS] = { .type = NLA_U64 },
	[PREEMPTHINT_STAT_KERNEL_GRANTS] = { .type = NLA_U64 },
	[PREEMPTHINT_STAT_GRANT_NS_MAX] = { .type = NLA_U64 },
	[PREEMPTHINT_STAT_GRANT_NS_SUM] = { .type = NLA_U64 },
	[PREEMPTHINT_STAT_WAITER_REFUSALS] = { .type = NLA_U64 },
	[PREEMPTHINT_STAT_ARRIVAL_REFUSALS] = { .type = NLA_U64 },
};

int ph_nl_open(struct ph_ctx *ctx, struct ph_nl *nl)
{
	char version[64];
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		fprintf(ctx->err, "preempthint: out of memory\n");
		return PH_EXIT_FAIL;
	}
	ret = genl_connect(nl->sk);
	if (ret < 0) {
		fprintf(ctx->err, "preempthint: cannot open a generic netlink socket: %s\n",
			nl_geterror(ret));
		goto fail;
	}
	/* A dump's replies can outgrow a page: peek at each one's size first. */
	nl_socket_enable_msg_peek(nl->sk);
	/*
	 * The kernel explains its errors in extended ACKs, but only when asked,
	 * and libnl 3.7 cannot ask; a capped ACK leaves out our echoed request.
	 * Best effort: without them, errors fall back to strerror.
	 */
	(void)setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));

	nl->family = genl_ctrl_resolve(nl->sk, PREEMPTHINT_GENL_NAME);
	if (nl->family >= 0)
		return PH_EXIT_OK;
	if (nl->family != -NLE_OBJ_NOTFOUND)
		fprintf(ctx->err, "preempthint: cannot look up the generic netlink family '%s': %s\n",
			PREEMPTHINT_GENL_NAME, nl_geterror(nl->family));
	else if (!ph_module_version(ctx->sysfs, version, sizeof(version)))
		fprintf(ctx->err, "preempthint: module loaded but its netlink family is missing (it exists only in the initial network namespace)\n");
	else
		fprintf(ctx->err, "preempthint: module not loaded (modprobe %s)\n",
			PREEMPTHINT_MODNAME);
fail:
	ph_nl_close(nl);
	return PH_EXIT_UNAVAILABLE;
}

void ph_nl_close(struct ph_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

struct nl_msg *ph_nl_msg(struct ph_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc_size(PH_NL_MSG_SIZE);

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags, cmd,
				PREEMPTHINT_GENL_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/* One request in flight: what ph_nl_exec's callbacks share. */
struct ph_nl_req {
	struct ph_nl *nl;
	ph_nl_reply_fn fn;
	void *arg;
	int err;	/* -errno: the kernel's, or the reply handler's */
	bool done;	/* ACK, error or end of dump seen: stop reading */
};

/* Keep the kernel's NLMSGERR_ATTR_MSG, from the TLVs @off bytes into @nlh's payload. */
static void ph_nl_extack(struct ph_nl *nl, struct nlmsghdr *nlh, size_t off)
{
	static const struct nla_policy policy[NLMSGERR_ATTR_MAX + 1] = {
		[NLMSGERR_ATTR_MSG] = { .type = NLA_STRING },
	};
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t len = (size_t)nlmsg_datalen(nlh);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= len)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlmsg_data(nlh) + off),
		      (int)(len - off), policy) < 0 || !tb[NLMSGERR_ATTR_MSG])
		return;
	snprintf(nl->msg, sizeof(nl->msg), "%s", nla_get_string(tb[NLMSGERR_ATTR_MSG]));
}

static int ph_nl_on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct ph_nl_req *req = arg;
	/* libnl passes the payload; its header, with the flags, sits just before. */
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	size_t off = NLMSG_ALIGN(sizeof(*e));

	(void)who;
	/* Unless the ACK is capped, our request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len > NLMSG_HDRLEN)
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	ph_nl_extack(req->nl, nlh, off);
	req->err = e->error < 0 ? e->error : -e->error;
	req->done = true;
	return NL_STOP;
}

static int ph_nl_on_ack(struct nl_msg *msg, void *arg)
{
	struct ph_nl_req *req = arg;

	(void)msg;
	req->done = true;
	return NL_STOP;
}

/* NLMSG_DONE ends a dump; one that failed part-way carries -errno (and TLVs). */
static int ph_nl_on_finish(struct nl_msg *msg, void *arg)
{
	struct ph_nl_req *req = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int err;

	if (nlmsg_datalen(nlh) >= (int)sizeof(err)) {
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
		if (err < 0 && !req->err) {
			req->err = err;
			ph_nl_extack(req->nl, nlh, NLMSG_ALIGN(sizeof(err)));
		}
	}
	req->done = true;
	return NL_STOP;
}

/* Separate from the socket so that unit tests can feed it messages they built. */
int ph_nl_parse(struct nlmsghdr *nlh, ph_nl_reply_fn fn, void *arg)
{
	struct nlattr *tb[PREEMPTHINT_A_MAX + 1];

	if (genlmsg_parse(nlh, 0, tb, PREEMPTHINT_A_MAX, ph_nl_policy) < 0)
		return -EBADMSG;
	return fn(tb, arg);
}

static int ph_nl_on_valid(struct nl_msg *msg, void *arg)
{
	struct ph_nl_req *req = arg;
	int ret;

	if (!req->fn)
		return NL_OK;
	ret = ph_nl_parse(nlmsg_hdr(msg), req->fn, req->arg);
	if (ret < 0) {
		req->err = ret;
		req->done = true;
		return NL_STOP;
	}
	return NL_OK;
}

/*
 * Send @msg (consumed) and read until its ACK, error or end of dump, passing
 * each reply to @fn. 0 or -errno; on failure nl->msg may say why, and the
 * socket may hold unread replies: close it.
 */
int ph_nl_exec(struct ph_nl *nl, struct nl_msg *msg, ph_nl_reply_fn fn, void *arg)
{
	struct ph_nl_req req = { .nl = nl, .fn = fn, .arg = arg };
	struct nl_cb *cb;
	int ret;

	nl->msg[0] = '\0';
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, ph_nl_on_valid, &req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ph_nl_on_ack, &req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, ph_nl_on_finish, &req);
	nl_cb_err(cb, NL_CB_CUSTOM, ph_nl_on_error, &req);

	/* nl_send_auto sets NLM_F_ACK: a doit's end is its ACK, a dump's NLMSG_DONE. */
	ret = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	while (ret >= 0 && !req.done)
		ret = nl_recvmsgs(nl->sk, cb);
	/*
	 * NLM_F_DUMP_INTR on a dump's message: libnl reads on to NLMSG_DONE,
	 * then says so. What was read may be inconsistent; the caller may retry.
	 */
	if (ret == -NLE_DUMP_INTR && !req.err) {
		snprintf(nl->msg, sizeof(nl->msg), "the list kept changing while it was read");
		req.err = -EAGAIN;
	} else if (ret < 0 && !req.done) {
		/* libnl's own failures (not the kernel's: those set done) have no errno. */
		snprintf(nl->msg, sizeof(nl->msg), "netlink: %s", nl_geterror(ret));
		req.err = -EIO;
	}
	nl_cb_put(cb);
	return req.err;
}

/* One line on stderr for a failed request, and the exit code that goes with it. */
int ph_nl_fail(struct ph_ctx *ctx, const struct ph_nl *nl, const char *what, int err)
{
	if (err == -EPERM) {
		fprintf(ctx->err, "preempthint: %s: needs CAP_SYS_NICE; run as root\n", what);
		return PH_EXIT_NOPERM;
	}
	fprintf(ctx->err, "preempthint: %s: %s\n", what, nl->msg[0] ? nl->msg : strerror(-err));
	return PH_EXIT_FAIL;
}

/* The whole round trip for a request that changes something and returns no data. */
int ph_nl_request(struct ph_ctx *ctx, const char *what, uint8_t cmd, ph_nl_fill_fn fill,
		  const void *arg)
{
	struct nl_msg *msg;
	struct ph_nl nl;
	int ret, err;

	ret = ph_nl_open(ctx, &nl);
	if (ret)
		return ret;
	msg = ph_nl_msg(&nl, cmd, 0);
	if (!msg) {
		err = -ENOMEM;
	} else if (fill && fill(msg, arg) < 0) {
		nlmsg_free(msg);
		err = -EMSGSIZE;
	} else {
		err = ph_nl_exec(&nl, msg, NULL, NULL);
	}
	ph_nl_close(&nl);
	return err ? ph_nl_fail(ctx, &nl, what, err) : PH_EXIT_OK;
}

int ph_nl_stats(struct nlattr *nest, struct ph_stats *stats)
{
	struct nlattr *tb[PREEMPTHINT_STAT_MAX + 1];
	int i;

	memset(stats, 0, sizeof(*stats));
	if (!nest)
		return 0;
	if (nla_parse_nested(tb, PREEMPTHINT_STAT_MAX, nest, ph_nl_stats_policy) < 0)
		return -EBADMSG;
	for (i = PREEMPTHINT_STAT_GRANTS; i < PREEMPTHINT_STAT_PAD; i++)
		if (tb[i])
			stats->v[i] = nla_get_u64(tb[i]);
	return 0;
}

/* Room for a burst of one message per enabled cgroup while we print. */
#define PH_NL_RCVBUF (1 << 20)

int ph_nl_subscribe(struct ph_ctx *ctx, struct ph_nl *nl, const char *group)
{
	int grp, ctrl, ret;

	grp = genl_ctrl_resolve_grp(nl->sk, PREEMPTHINT_GENL_NAME, group);
	if (grp == -NLE_OBJ_NOTFOUND) {
		fprintf(ctx->err, "preempthint: the loaded module has no '%s' multicast group (older than this CLI?)\n",
			group);
		return PH_EXIT_UNAVAILABLE;
	}
	if (grp < 0) {
		fprintf(ctx->err, "preempthint: cannot look up the multicast group '%s': %s\n", group,
			nl_geterror(grp));
		return PH_EXIT_FAIL;
	}
	/* nlctrl's notifications tell us when the family goes away: best effort. */
	ctrl = genl_ctrl_resolve_grp(nl->sk, "nlctrl", "notify");
	ret = nl_socket_add_memberships(nl->sk, grp, ctrl > 0 ? ctrl : 0, 0);
	if (ret == -NLE_PERM) {
		fprintf(ctx->err, "preempthint: joining '%s': needs CAP_SYS_ADMIN; run as root\n", group);
		return PH_EXIT_NOPERM;
	}
	if (ret < 0) {
		fprintf(ctx->err, "preempthint: cannot join the multicast group '%s': %s\n", group,
			nl_geterror(ret));
		return PH_EXIT_FAIL;
	}
	(void)nl_socket_set_buffer_size(nl->sk, PH_NL_RCVBUF, 0);
	return PH_EXIT_OK;
}

struct ph_nl_sub {
	struct ph_nl *nl;
	uint8_t cmd;
	ph_nl_reply_fn fn;
	void *arg;
	int ret;
	bool done;
};

/* An nlctrl notification that our family was unregistered. */
static bool ph_nl_family_gone(const struct ph_nl *nl, struct nlmsghdr *nlh)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	const struct genlmsghdr *gh;

	if (!genlmsg_valid_hdr(nlh, 0))
		return false;
	gh = nlmsg_data(nlh);
	if (gh->cmd != CTRL_CMD_DELFAMILY || genlmsg_parse(nlh, 0, tb, CTRL_ATTR_MAX, NULL) < 0 ||
	    !tb[CTRL_ATTR_FAMILY_ID] || nla_len(tb[CTRL_ATTR_FAMILY_ID]) < (int)sizeof(uint16_t))
		return false;
	return nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]) == nl->family;
}

static int ph_nl_on_event(struct nl_msg *msg, void *arg)
{
	struct ph_nl_sub *sub = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	const struct genlmsghdr *gh;

	if (sub->done)
		return NL_STOP;
	if (nlh->nlmsg_type == GENL_ID_CTRL) {
		if (!ph_nl_family_gone(sub->nl, nlh))
			return NL_OK;
		sub->ret = -ENODEV;
		sub->done = true;
		return NL_STOP;
	}
	if (nlh->nlmsg_type != sub->nl->family || !genlmsg_valid_hdr(nlh, 0))
		return NL_OK;
	gh = nlmsg_data(nlh);
	if (gh->cmd != sub->cmd)
		return NL_OK;
	sub->ret = ph_nl_parse(nlh, sub->fn, sub->arg);
	if (!sub->ret)
		return NL_OK;
	sub->done = true;
	return NL_STOP;
}

int ph_nl_listen(struct ph_nl *nl, uint8_t cmd, ph_nl_reply_fn fn, void *arg,
		 const sigset_t *waitmask, volatile sig_atomic_t *stop)
{
	struct ph_nl_sub sub = { .nl = nl, .cmd = cmd, .fn = fn, .arg = arg };
	int fd = nl_socket_get_fd(nl->sk), ret;
	struct nl_cb *cb, *base;
	fd_set rfds;

	nl->msg[0] = '\0';
	/* Multicast messages have sequence number 0: nothing to match. */
	nl_socket_disable_seq_check(nl->sk);
	base = nl_socket_get_cb(nl->sk);
	cb = base ? nl_cb_clone(base) : NULL;
	if (base)
		nl_cb_put(base);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, ph_nl_on_event, &sub);

	while (!sub.done && !*stop) {
		/*
		 * libnl retries a read that a signal interrupts, so wait here
		 * instead: pselect lets SIGINT/SIGTERM in only while it waits,
		 * and returns when one arrives.
		 */
		FD_ZERO(&rfds);
		FD_SET(fd, &rfds);
		if (pselect(fd + 1, &rfds, NULL, NULL, NULL, waitmask) < 0) {
			if (errno == EINTR)
				continue;
			snprintf(nl->msg, sizeof(nl->msg), "waiting for events: %s",
				 strerror(errno));
			sub.ret = -EIO;
			break;
		}
		ret = nl_recvmsgs(nl->sk, cb);
		/*
		 * ENOBUFS (libnl says NOMEM): the socket overflowed and the
		 * kernel dropped messages. The counters are cumulative, so
		 * the next ones still add up: go on.
		 */
		if (ret >= 0 || ret == -NLE_NOMEM || sub.done)
			continue;
		snprintf(nl->msg, sizeof(nl->msg), "netlink: %s", nl_geterror(ret));
		sub.ret = -EIO;
		break;
	}
	nl_cb_put(cb);
	return sub.ret < 0 ? sub.ret : 0;
}
