// SPDX-License-Identifier: GPL-2.0
/*
 * preempthint apply [--config FILE] [--check]
 *
 * Enable every policy of the configuration file (config.h). All of it is
 * parsed and resolved before the first change, so a bad line changes
 * nothing. A target that does not exist yet (a unit not started, a cgroup
 * not made) is pending: left for later, not an error, since at boot the
 * database starts after this runs; the drop-in installed for PostgreSQL's
 * unit runs apply again once it has started. If the kernel refuses a
 * policy, those applied before it are put back as they were.
 *
 * Policies the file does not name are left alone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "args.h"
#include "config.h"
#include "nl.h"

enum ph_apply_state { PH_APPLY_READY, PH_APPLY_PENDING };

struct ph_apply_item {
	const struct ph_config_entry *e;
	enum ph_apply_state state;
	char cgroup[PH_CGROUP_PATH_MAX];	/* READY: the canonical path */
	const char *why;			/* PENDING: why */
};

static bool ph_apply_is_dir(const char *root, const char *path)
{
	char full[PH_CGROUP_PATH_MAX + 512];
	struct stat st;
	int n = snprintf(full, sizeof(full), "%s%s", root, strcmp(path, "/") ? path : "");

	return n > 0 && (size_t)n < sizeof(full) && !stat(full, &st) && S_ISDIR(st.st_mode);
}

/* A config entry to a cgroup path, or pending. PH_EXIT_FAIL if systemctl fails. */
static int ph_apply_resolve(struct ph_ctx *ctx, const char *file, struct ph_apply_item *it)
{
	const char *root = ph_cgroup_root(ctx), *why;
	char unit_path[PH_CGROUP_PATH_MAX], rel[PH_CGROUP_PATH_MAX + 2];
	int ret;

	if (!it->e->unit) {
		strcpy(it->cgroup, it->e->target);
	} else {
		/* As 'enable --cgroup': a directory of that name under the root wins. */
		snprintf(rel, sizeof(rel), "/%s", it->e->target);
		if (ph_apply_is_dir(root, rel)) {
			strcpy(it->cgroup, rel);
			goto found;
		}
		ret = ph_systemd_cgroup(it->e->target, unit_path, sizeof(unit_path));
		if (ret == -ENOENT) {
			it->state = PH_APPLY_PENDING;
			it->why = "unit not running";
			return PH_EXIT_OK;
		}
		if (ret) {
			fprintf(ctx->err, "preempthint: %s:%u: cannot resolve systemd unit %s (systemctl failed)\n",
				file, it->e->line, it->e->target);
			return PH_EXIT_FAIL;
		}
		why = ph_cgroup_normalise(root, unit_path, it->cgroup, sizeof(it->cgroup));
		if (why) {
			fprintf(ctx->err, "preempthint: %s:%u: systemd unit %s: cgroup path '%s': %s\n",
				file, it->e->line, it->e->target, unit_path, why);
			return PH_EXIT_FAIL;
		}
	}
found:
	if (ph_apply_is_dir(root, it->cgroup)) {
		it->state = PH_APPLY_READY;
	} else {
		it->state = PH_APPLY_PENDING;
		it->why = "no such cgroup yet";
	}
	return PH_EXIT_OK;
}

struct ph_apply_req {
	const char *cgroup;
	bool enable;
	bool has_grace, has_mode;
	uint32_t grace_us, mode;
};

static int ph_apply_fill(struct nl_msg *msg, const void *arg)
{
	const struct ph_apply_req *r = arg;
	int ret = nla_put_string(msg, PREEMPTHINT_A_CGROUP_PATH, r->cgroup);

	if (!ret && r->has_grace)
		ret = nla_put_u32(msg, PREEMPTHINT_A_GRACE_US, r->grace_us);
	if (!ret && r->has_mode)
		ret = nla_put_u32(msg, PREEMPTHINT_A_MODE, r->mode);
	return ret;
}

static int ph_apply_send(struct ph_nl *nl, const struct ph_apply_req *r)
{
	struct nl_msg *msg = ph_nl_msg(nl, r->enable ? PREEMPTHINT_CMD_ENABLE :
					   PREEMPTHINT_CMD_DISABLE, 0);

	if (!msg)
		return -ENOMEM;
	if (ph_apply_fill(msg, r) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return ph_nl_exec(nl, msg, NULL, NULL);
}

/* Put the first @n applied items back as @before had them. */
static void ph_apply_undo(struct ph_nl *nl, const struct ph_apply_item *items, size_t n,
			  const struct ph_policies *before)
{
	struct ph_apply_req r;
	size_t i, k;
	char msg[sizeof(nl->msg)];

	memcpy(msg, nl->msg, sizeof(msg));	/* keep the error being reported */
	for (i = 0; i < n; i++) {
		if (items[i].state != PH_APPLY_READY)
			continue;
		memset(&r, 0, sizeof(r));
		r.cgroup = items[i].cgroup;
		for (k = 0; k < before->n; k++)
			if (!strcmp(before->v[k].path, r.cgroup))
				break;
		if (k < before->n) {
			r.enable = r.has_grace = r.has_mode = true;
			r.grace_us = before->v[k].grace_us;
			r.mode = before->v[k].mode;
		}
		(void)ph_apply_send(nl, &r);
	}
	memcpy(nl->msg, msg, sizeof(msg));
}

static void ph_apply_print(struct ph_ctx *ctx, const char *file, bool check,
			   const struct ph_apply_item *items, size_t n)
{
	const struct ph_config_entry *e;
	size_t i, ready = 0;
	struct ph_json j;

	for (i = 0; i < n; i++)
		ready += items[i].state == PH_APPLY_READY;
	if (!ctx->json) {
		for (i = 0; i < n; i++) {
			e = items[i].e;
			if (items[i].state == PH_APPLY_READY)
				fprintf(ctx->out, "%s %s (%s:%u)\n", check ? "would enable" : "enabled",
					items[i].cgroup, file, e->line);
			else
				fprintf(ctx->out, "pending %s: %s (%s:%u)\n", e->target, items[i].why,
					file, e->line);
		}
		fprintf(ctx->out, "%s: %zu %s, %zu pending\n", file, ready,
			check ? "to enable" : "enabled", n - ready);
		return;
	}
	ph_json_init(&j, ctx->out);
	ph_json_obj(&j, NULL);
	ph_json_str(&j, "config", file);
	ph_json_bool(&j, "check", check);
	ph_json_arr(&j, "policies");
	for (i = 0; i < n; i++) {
		e = items[i].e;
		ph_json_obj(&j, NULL);
		ph_json_u64(&j, "line", e->line);
		ph_json_str(&j, "target", e->target);
		ph_json_str(&j, "cgroup", items[i].state == PH_APPLY_READY ? items[i].cgroup : NULL);
		ph_json_str(&j, "state", items[i].state == PH_APPLY_PENDING ? "pending" :
			    check ? "ready" : "enabled");
		if (e->has_grace)
			ph_json_u64(&j, "grace_us", e->grace_us);
		else
			ph_json_str(&j, "grace_us", NULL);
		ph_json_str(&j, "mode", ph_mode_name(e->has_mode ? e->mode : PREEMPTHINT_MODE_HINT));
		ph_json_end(&j);
	}
	ph_json_end(&j);
	ph_json_end(&j);
}

/* "--check" takes no value, unlike every option ph_opts_parse knows. */
static int ph_apply_args(struct ph_ctx *ctx, int argc, char **argv, const char **file,
			 bool *check)
{
	struct ph_opt opt = { .name = "--config" };
	char *rest[8];
	int i, n = 0, ret;

	*check = false;
	for (i = 0; i < argc; i++) {
		if (i && !strcmp(argv[i], "--check")) {
			*check = true;
			continue;
		}
		if (n == (int)(sizeof(rest) / sizeof(rest[0]))) {
			fprintf(ctx->err, "preempthint: apply: too many arguments\n");
			return PH_EXIT_USAGE;
		}
		rest[n++] = argv[i];
	}
	ret = ph_opts_parse(ctx, "apply", n, rest, &opt, 1);
	*file = opt.value ? opt.value : PH_CONFIG_DEFAULT;
	return ret;
}

int cmd_apply(struct ph_ctx *ctx, int argc, char **argv)
{
	struct ph_policies before = { 0 };
	struct ph_apply_item *items = NULL;
	struct ph_config cfg;
	struct ph_apply_req r;
	struct ph_nl nl;
	const char *file;
	bool check;
	size_t i;
	int ret, err = 0;

	ret = ph_apply_args(ctx, argc, argv, &file, &check);
	if (!ret)
		ret = ph_config_load(ctx, file, &cfg);
	if (ret)
		return ret;
	items = calloc(cfg.n ? cfg.n : 1, sizeof(*items));
	if (!items) {
		fprintf(ctx->err, "preempthint: out of memory\n");
		ret = PH_EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < cfg.n && !ret; i++) {
		items[i].e = &cfg.v[i];
		ret = ph_apply_resolve(ctx, file, &items[i]);
	}
	if (ret || check)
		goto done;

	ret = ph_nl_open(ctx, &nl);
	if (ret)
		goto out;
	err = ph_fetch_policies(&nl, &before);
	for (i = 0; i < cfg.n && !err; i++) {
		if (items[i].state != PH_APPLY_READY)
			continue;
		r = (struct ph_apply_req){
			.cgroup = items[i].cgroup, .enable = true,
			.has_grace = cfg.v[i].has_grace, .grace_us = cfg.v[i].grace_us,
			.has_mode = cfg.v[i].has_mode, .mode = cfg.v[i].mode,
		};
		err = ph_apply_send(&nl, &r);
		if (err)
			ph_apply_undo(&nl, items, i, &before);
	}
	ph_nl_close(&nl);
	if (err && err != -EPERM && i > 0 && i <= cfg.n) {
		/* i is one past the entry the kernel refused. */
		fprintf(ctx->err, "preempthint: %s:%u: enabling %s failed: %s; nothing changed\n",
			file, cfg.v[i - 1].line, items[i - 1].cgroup,
			nl.msg[0] ? nl.msg : strerror(-err));
		ret = PH_EXIT_FAIL;
		goto out;
	}
	if (err) {
		ret = ph_nl_fail(ctx, &nl, "apply", err);
		goto out;
	}
done:
	if (!ret)
		ph_apply_print(ctx, file, check, items, cfg.n);
out:
	ph_policies_free(&before);
	free(items);
	ph_config_free(&cfg);
	return ret;
}
