// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup paths. The kernel resolves CGROUP_PATH relative to the cgroup v2
 * root and stores it verbatim as the policy's name, so the CLI sends one
 * canonical spelling ("/a/b", or "/" for the root): then "stats --cgroup"
 * and "disable" find a policy however the operator typed its path.
 */
#include <errno.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "args.h"

/*
 * "a//b/./c/" -> "/a/b/c", "" -> "/". ".." is refused rather than resolved:
 * the kernel's lookup does not resolve it either, and resolving it here
 * could walk out of the cgroup tree.
 */
static int ph_path_squeeze(const char *in, char *out, size_t len)
{
	size_t o = 0, n;

	while (*in) {
		while (*in == '/')
			in++;
		n = strcspn(in, "/");
		if (n == 0 || (n == 1 && in[0] == '.')) {
			in += n;
			continue;
		}
		if (n == 2 && in[0] == '.' && in[1] == '.')
			return -EINVAL;
		if (o + 1 + n + 1 > len)
			return -ENAMETOOLONG;
		out[o++] = '/';
		memcpy(out + o, in, n);
		o += n;
		in += n;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return 0;
}

/*
 * Accepts "ROOT/a/b" (ROOT, usually /sys/fs/cgroup, is stripped), "/a/b"
 * (already relative to the v2 root), "a/b" and "/". Returns NULL, or why
 * the path is refused.
 */
const char *ph_cgroup_normalise(const char *root, const char *in, char *out, size_t len)
{
	/* Room for ROOT in front of a path that fits once ROOT is stripped. */
	char path[2 * PH_CGROUP_PATH_MAX], base[PH_CGROUP_PATH_MAX];
	size_t rlen;
	int ret;

	if (!*in)
		return "empty path";
	ret = ph_path_squeeze(in, path, sizeof(path));
	if (ret == -EINVAL)
		return "'..' is not allowed";
	if (ret)
		return "too long";

	if (in[0] == '/' && !ph_path_squeeze(root, base, sizeof(base)) && strcmp(base, "/")) {
		rlen = strlen(base);
		if (!strncmp(path, base, rlen) && (path[rlen] == '/' || !path[rlen])) {
			memmove(path, path + rlen, strlen(path + rlen) + 1);
			if (!path[0])
				strcpy(path, "/");
		}
	}
	if (strlen(path) >= len || strlen(path) >= PH_CGROUP_PATH_MAX)
		return "too long";
	strcpy(out, path);
	return NULL;
}

int ph_arg_cgroup(struct ph_ctx *ctx, const char *s, char *out, size_t len)
{
	const char *why = ph_cgroup_normalise(ph_cgroup_root(ctx), s, out, len);

	if (!why)
		return PH_EXIT_OK;
	fprintf(ctx->err, "preempthint: cgroup path '%s': %s\n", s, why);
	return PH_EXIT_USAGE;
}

/*
 * The one place that asks whether the root is a cgroup v2 mount. Only the
 * real mount is asked: the temp dir a unit test uses instead never is.
 */
static bool ph_cgroup_root_is_v2(const char *root)
{
	struct statfs sfs;

	if (strcmp(root, PH_CGROUP_ROOT))
		return true;
	return !statfs(root, &sfs) && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

static bool ph_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/*
 * Before enabling, check the cgroup is there: a local stat names the path
 * in the error, and catches the common mistake of passing a systemd unit
 * name where the unit's cgroup path is wanted.
 */
int ph_cgroup_check(struct ph_ctx *ctx, const char *path)
{
	const char *root = ph_cgroup_root(ctx);
	char full[PH_CGROUP_PATH_MAX + 512];
	struct stat st;
	int n, err;

	if (!ph_cgroup_root_is_v2(root)) {
		fprintf(ctx->err, "preempthint: %s is not a cgroup v2 mount; preempthint needs cgroup v2\n",
			root);
		return PH_EXIT_FAIL;
	}
	n = snprintf(full, sizeof(full), "%s%s", root, strcmp(path, "/") ? path : "");
	if (n < 0 || (size_t)n >= sizeof(full)) {
		fprintf(ctx->err, "preempthint: cgroup path %s: too long\n", path);
		return PH_EXIT_USAGE;
	}
	err = stat(full, &st) ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
	if (!err)
		return PH_EXIT_OK;
	if (err != ENOENT && err != ENOTDIR)
		fprintf(ctx->err, "preempthint: cannot check cgroup %s under %s: %s\n", path, root,
			strerror(err));
	else if (ph_ends_with(path, ".service"))
		fprintf(ctx->err, "preempthint: no cgroup %s under %s; for a systemd unit use the path from 'systemctl show -P ControlGroup %s'\n",
			path, root, strrchr(path, '/') + 1);
	else
		fprintf(ctx->err, "preempthint: no cgroup %s under %s\n", path, root);
	return PH_EXIT_FAIL;
}
