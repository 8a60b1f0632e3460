/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink plumbing, on libnl-3: every subcommand that talks to
 * the module goes through here, so none repeats socket setup, family lookup,
 * ACK/extended-ACK handling or dump iteration.
 *
 *	ph_nl_open()			socket + family; prints why not
 *	msg = ph_nl_msg(); nla_put_*()	build a request
 *	ph_nl_exec(msg, fn, arg)	send; fn(tb) per reply until ACK/DONE
 *	ph_nl_close(); ph_nl_fail()	report a failure, pick the exit code
 *
 * ph_nl_request() does all of that for requests without a reply.
 *
 *	ph_nl_subscribe(group)		join a multicast group; prints why not
 *	ph_nl_listen(cmd, fn, arg)	fn(tb) per message of the family's @cmd
 */
#ifndef PH_NL_H
#define PH_NL_H

#include <signal.h>

#include <netlink/genl/genl.h>

#include "cli.h"
#include "preempthint.h"
#include "state.h"

struct ph_nl {
	struct nl_sock *sk;
	int family;
	/* Why the last request failed: the kernel's extended-ACK message, or "". */
	char msg[256];
};

/*
 * A reply's top-level attributes, parsed with the family's policy. Return
 * 0, or -errno to stop and make ph_nl_exec fail with it.
 */
typedef int (*ph_nl_reply_fn)(struct nlattr **tb, void *arg);

/* Adds a request's attributes; a libnl error (< 0) if they do not fit. */
typedef int (*ph_nl_fill_fn)(struct nl_msg *msg, const void *arg);

int ph_nl_open(struct ph_ctx *ctx, struct ph_nl *nl);
void ph_nl_close(struct ph_nl *nl);
struct nl_msg *ph_nl_msg(struct ph_nl *nl, uint8_t cmd, int flags);
int ph_nl_exec(struct ph_nl *nl, struct nl_msg *msg, ph_nl_reply_fn fn, void *arg);
int ph_nl_fail(struct ph_ctx *ctx, const struct ph_nl *nl, const char *what, int err);
int ph_nl_request(struct ph_ctx *ctx, const char *what, uint8_t cmd, ph_nl_fill_fn fill,
		  const void *arg);
int ph_nl_parse(struct nlmsghdr *nlh, ph_nl_reply_fn fn, void *arg);

/*
 * Multicast. ph_nl_subscribe returns an exit code, having said why on
 * ctx->err. ph_nl_listen calls @fn for each message of the family with
 * command @cmd until @fn returns non-zero (> 0: done, 0 returned; < 0: that
 * error), *@stop is set (by a signal handler: only @waitmask is in force
 * while it waits), or the family goes away (-ENODEV: the module was
 * unloaded). Other errors are -errno, with nl->msg saying why.
 */
int ph_nl_subscribe(struct ph_ctx *ctx, struct ph_nl *nl, const char *group);
int ph_nl_listen(struct ph_nl *nl, uint8_t cmd, ph_nl_reply_fn fn, void *arg,
		 const sigset_t *waitmask, volatile sig_atomic_t *stop);
int ph_nl_stats(struct nlattr *nest, struct ph_stats *stats);

/* fetch.c: 0 or -errno (ph_nl_fail reports it). */
int ph_fetch_global(struct ph_nl *nl, struct ph_global *g);
int ph_fetch_policies(struct ph_nl *nl, struct ph_policies *p);

/* fetch.c: reply handlers; @arg is a struct ph_global, or ph_policies to append to. */
int ph_global_parse(struct nlattr **tb, void *arg);
int ph_policy_parse(struct nlattr **tb, void *arg);

/* fetch.c: an EVENT_STATS message; @arg is a struct ph_event. */
int ph_event_parse(struct nlattr **tb, void *arg);

#endif /* PH_NL_H */
