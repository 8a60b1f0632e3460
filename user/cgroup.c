// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup paths, and systemd units as a way to name one. The kernel resolves
 * CGROUP_PATH relative to the cgroup v2 root and stores it verbatim as the
 * policy's name, so the CLI sends one canonical spelling ("/a/b", or "/" for
 * the root): then "stats --cgroup" and "disable" find a policy however the
 * operator typed its path.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

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

static bool ph_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* "db.service", not "system.slice/db.service": unit names have no slash. */
bool ph_is_unit_name(const char *s)
{
	static const char *const types[] = { ".service", ".scope", ".slice" };
	size_t i;

	if (strchr(s, '/'))
		return false;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strlen(s) > strlen(types[i]) && ph_ends_with(s, types[i]))
			return true;
	return false;
}

/* Read all of @fd into @out (NUL-terminated): its length, or -ENAMETOOLONG. */
static ssize_t ph_read_all(int fd, char *out, size_t len)
{
	size_t o = 0;
	bool overflow = false;
	char sink[256];
	ssize_t n;

	for (;;) {
		if (o + 1 < len)
			n = read(fd, out + o, len - 1 - o);
		else
			n = read(fd, sink, sizeof(sink));	/* drain, so the child can exit */
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (o + 1 < len)
			o += (size_t)n;
		else
			overflow = true;
	}
	out[o] = '\0';
	return overflow ? -ENAMETOOLONG : (ssize_t)o;
}

int ph_systemd_cgroup(const char *unit, char *out, size_t len)
{
	const char *prog = getenv(PH_SYSTEMCTL_ENV);
	int fds[2], status, null, argc = 0;
	char *argv[7];
	ssize_t n;
	pid_t pid;

	if (!prog || !*prog)
		prog = "systemctl";
	argv[argc++] = (char *)prog;
	argv[argc++] = "show";
	argv[argc++] = "-P";
	argv[argc++] = "ControlGroup";
	/* Only where needed: "-.slice", the root slice, is not an option. */
	if (unit[0] == '-')
		argv[argc++] = "--";
	argv[argc++] = (char *)unit;
	argv[argc] = NULL;
	if (pipe(fds))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -EIO;
	}
	if (pid == 0) {
		/* Its stdout to us, its chatter to /dev/null: our error is one line. */
		null = open("/dev/null", O_RDWR);
		close(fds[0]);
		if (dup2(fds[1], STDOUT_FILENO) < 0 ||
		    (null >= 0 && (dup2(null, STDIN_FILENO) < 0 || dup2(null, STDERR_FILENO) < 0)))
			_exit(127);
		execvp(prog, argv);
		_exit(127);
	}
	close(fds[1]);
	n = ph_read_all(fds[0], out, len);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -EIO;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return -EIO;
	if (n < 0)
		return (int)n;
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' ' || out[n - 1] == '\t'))
		out[--n] = '\0';
	return n ? 0 : -ENOENT;
}

/* Is @name (relative, no slash) a directory right under the cgroup root? */
static bool ph_cgroup_is_dir(const char *root, const char *name)
{
	char full[PH_CGROUP_PATH_MAX + 512];
	struct stat st;
	int n = snprintf(full, sizeof(full), "%s/%s", root, name);

	return n > 0 && (size_t)n < sizeof(full) && !stat(full, &st) && S_ISDIR(st.st_mode);
}

/*
 * --cgroup PATH into the kernel's spelling. A systemd unit name that is not
 * also a directory under the root is first resolved to its unit's cgroup.
 */
int ph_arg_cgroup(struct ph_ctx *ctx, const char *s, char *out, size_t len)
{
	const char *root = ph_cgroup_root(ctx), *why;
	char unit_path[PH_CGROUP_PATH_MAX];

	if (ph_is_unit_name(s) && !ph_cgroup_is_dir(root, s)) {
		if (ph_systemd_cgroup(s, unit_path, sizeof(unit_path))) {
			fprintf(ctx->err, "preempthint: cannot resolve systemd unit %s (is it running?)\n",
				s);
			return PH_EXIT_FAIL;
		}
		why = ph_cgroup_normalise(root, unit_path, out, len);
		if (!why)
			return PH_EXIT_OK;
		fprintf(ctx->err, "preempthint: systemd unit %s: cgroup path '%s': %s\n", s,
			unit_path, why);
		return PH_EXIT_FAIL;
	}
	why = ph_cgroup_normalise(root, s, out, len);
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
