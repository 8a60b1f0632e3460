// SPDX-License-Identifier: GPL-2.0
/* Host unit tests of argument parsing: cgroup paths, modes, grace, options. */
#include <errno.h>

#include "args.h"
#include "preempthint.h"
#include "run.h"
#include "tap.h"

static void check_path(const char *root, const char *in, const char *want)
{
	char out[PH_CGROUP_PATH_MAX];
	const char *why = ph_cgroup_normalise(root, in, out, sizeof(out));

	if (want)
		TAP_CHECK(!why && !strcmp(out, want), "path '%s' is '%s' (got '%s')", in, want,
			  why ? why : out);
	else
		TAP_CHECK(why != NULL, "path '%s' is refused (%s)", in, why ? why : out);
}

static void test_paths(void)
{
	const char *root = PH_CGROUP_ROOT;
	char *big = malloc(PH_CGROUP_PATH_MAX + 16);
	char out[PH_CGROUP_PATH_MAX];

	check_path(root, "/sys/fs/cgroup/system.slice/postgresql@17-main.service",
		   "/system.slice/postgresql@17-main.service");
	check_path(root, "/sys/fs/cgroup", "/");
	check_path(root, "/sys/fs/cgroup/", "/");
	check_path(root, "/sys//fs/cgroup//ph-db//", "/ph-db");
	check_path(root, "/system.slice/x.service", "/system.slice/x.service");
	check_path(root, "system.slice/x.service", "/system.slice/x.service");
	check_path(root, "system.slice//x/", "/system.slice/x");
	check_path(root, "/", "/");
	check_path(root, "//", "/");
	check_path(root, "./a/./b/.", "/a/b");
	check_path(root, "/sys/fs/cgroupx/a", "/sys/fs/cgroupx/a");
	check_path(root, "sys/fs/cgroup/a", "/sys/fs/cgroup/a");
	check_path("/tmp/cg/", "/tmp/cg/a", "/a");
	check_path(root, "..", NULL);
	check_path(root, "/a/../b", NULL);
	check_path(root, "/sys/fs/cgroup/../etc", NULL);
	check_path(root, "a/..", NULL);
	check_path(root, "", NULL);
	check_path(root, "a..b/..c", "/a..b/..c");

	memset(big, 'x', PH_CGROUP_PATH_MAX);
	big[PH_CGROUP_PATH_MAX] = '\0';
	check_path(root, big, NULL);
	big[PH_CGROUP_PATH_MAX - 2] = '\0';	/* "/" + 4094 + NUL: the kernel's limit */
	TAP_CHECK(!ph_cgroup_normalise(root, big, out, sizeof(out)) &&
		  strlen(out) == PH_CGROUP_PATH_MAX - 1,
		  "a 4095-byte path (the kernel's limit) is accepted");
	TAP_CHECK(ph_cgroup_normalise(root, "/abcd", out, 5) != NULL,
		  "a path that does not fit the caller's buffer is refused");
	free(big);
}

static void test_values(void)
{
	uint32_t v = 0;
	bool on = false;

	TAP_CHECK(!ph_mode_parse("hint", &v) && v == PREEMPTHINT_MODE_HINT, "mode hint");
	TAP_CHECK(!ph_mode_parse("kernel", &v) && v == PREEMPTHINT_MODE_KERNEL, "mode kernel");
	TAP_CHECK(!ph_mode_parse("both", &v) && v == PREEMPTHINT_MODE_ALL, "mode both");
	TAP_CHECK(ph_mode_parse("HINT", &v) == -EINVAL, "mode words are lower case");
	TAP_CHECK(ph_mode_parse("hint,kernel", &v) == -EINVAL, "'hint,kernel' is not a mode");
	TAP_CHECK(ph_mode_parse("", &v) == -EINVAL, "an empty mode is refused");
	TAP_CHECK(!strcmp(ph_mode_name(PREEMPTHINT_MODE_ALL), "both") &&
		  !strcmp(ph_mode_name(PREEMPTHINT_MODE_KERNEL), "kernel") &&
		  !strcmp(ph_mode_name(8), "?"), "mode names round-trip; unknown masks print '?'");

	TAP_CHECK(!ph_grace_parse("5", &v) && v == 5, "grace %u (the minimum) is accepted",
		  PREEMPTHINT_GRACE_US_MIN);
	TAP_CHECK(!ph_grace_parse("1000", &v) && v == 1000, "grace %u (the maximum) is accepted",
		  PREEMPTHINT_GRACE_US_MAX);
	TAP_CHECK(ph_grace_parse("4", &v) == -ERANGE, "grace 4 is out of range");
	TAP_CHECK(ph_grace_parse("1001", &v) == -ERANGE, "grace 1001 is out of range");
	TAP_CHECK(ph_grace_parse("0", &v) == -ERANGE, "grace 0 is out of range");
	TAP_CHECK(ph_grace_parse("99999999999999999999999", &v) == -ERANGE,
		  "a grace beyond u64 is out of range, not wrapped");
	TAP_CHECK(ph_grace_parse("4294967346", &v) == -ERANGE,
		  "a grace that wraps u32 to 50 is out of range");
	TAP_CHECK(ph_grace_parse("abc", &v) == -EINVAL, "grace 'abc' is not a number");
	TAP_CHECK(ph_grace_parse("50us", &v) == -EINVAL, "grace '50us' is not a number");
	TAP_CHECK(ph_grace_parse("-50", &v) == -EINVAL && ph_grace_parse("+50", &v) == -EINVAL &&
		  ph_grace_parse(" 50", &v) == -EINVAL && ph_grace_parse("0x40", &v) == -EINVAL &&
		  ph_grace_parse("", &v) == -EINVAL, "grace takes decimal digits only");

	TAP_CHECK(!ph_switch_parse("0", &on) && !on && !ph_switch_parse("1", &on) && on,
		  "--enabled takes 0 and 1");
	TAP_CHECK(ph_switch_parse("2", &on) && ph_switch_parse("yes", &on) &&
		  ph_switch_parse("", &on) && ph_switch_parse("01", &on), "... and nothing else");
}

/* Run one argument parser on a NULL-terminated list, capturing its error line. */
typedef int (*parse_fn)(struct ph_ctx *ctx, int argc, char **argv, void *args);

static int enable_parse(struct ph_ctx *c, int n, char **v, void *a)
{
	return ph_enable_args_parse(c, n, v, a);
}

static int disable_parse(struct ph_ctx *c, int n, char **v, void *a)
{
	return ph_disable_args_parse(c, n, v, a);
}

static int stats_parse(struct ph_ctx *c, int n, char **v, void *a)
{
	return ph_stats_args_parse(c, n, v, a);
}

static int set_parse(struct ph_ctx *c, int n, char **v, void *a)
{
	return ph_set_args_parse(c, n, v, a);
}

static struct run parse(parse_fn fn, void *args, const char *cmd, ...)
{
	struct ph_ctx ctx = { .sysfs = "/nonexistent", .cgroup_root = PH_CGROUP_ROOT };
	char *argv[16];
	int argc = 0;
	struct run r;
	va_list ap;

	argv[argc++] = (char *)cmd;
	va_start(ap, cmd);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	run_begin(&r, &ctx);
	r.rc = fn(&ctx, argc, argv, args);
	run_end(&ctx);
	return r;
}

static void test_enable_args(void)
{
	struct ph_enable_args a;
	struct run r;

	r = parse(enable_parse, &a, "enable", "--cgroup", "/sys/fs/cgroup/ph-db/", NULL);
	TAP_CHECK(r.rc == 0 && !strcmp(a.cgroup, "/ph-db") && !a.has_grace && !a.has_mode &&
		  !r.err[0],
		  "enable --cgroup alone: path normalised, grace and mode left to the kernel");
	run_free(&r);

	r = parse(enable_parse, &a, "enable", "--mode=both", "--grace-us", "200", "--cgroup=db",
		  NULL);
	TAP_CHECK(r.rc == 0 && !strcmp(a.cgroup, "/db") && a.has_grace && a.grace_us == 200 &&
		  a.has_mode && a.mode == PREEMPTHINT_MODE_ALL,
		  "enable takes options in any order, as '--opt value' or '--opt=value'");
	run_free(&r);

	r = parse(enable_parse, &a, "enable", "--grace-us", "100", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE &&
		  !strcmp(r.err, "preempthint: enable: --cgroup PATH is required\n"),
		  "enable without --cgroup is a usage error (%s)", flat(r.err));
	run_free(&r);

	r = parse(enable_parse, &a, "enable", "--cgroup", "/db", "--grace", "100", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && strstr(r.err, "unknown option '--grace'"),
		  "an unknown option is a usage error naming it (%s)", flat(r.err));
	run_free(&r);

	r = parse(enable_parse, &a, "enable", "--cgroup", "/db", "--frob=1", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && strstr(r.err, "unknown option '--frob'"),
		  "an unknown '--opt=value' is named without its value (%s)", flat(r.err));
	run_free(&r);

	r = parse(enable_parse, &a, "enable", "-c", "/db", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && strstr(r.err, "unexpected argument '-c'"),
		  "short options do not exist (%s)", flat(r.err));
	run_free(&r);

	r = parse(enable_parse, &a, "enable", "/db", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && strstr(r.err, "unexpected argument '/db'"),
		  "a bare path is not taken for --cgroup (%s)", flat(r.err));
	run_free(&r);

	r = parse(enable_parse, &a, "enable", "--cgroup", "--grace-us", "100", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && strstr(r.err, "option '--cgroup' needs a value"),
		  "an option followed by another option lacks its value (%s)", flat(r.err));
	run_free(&r);

	r = parse(enable_parse, &a, "enable", "--cgroup", "/a", "--cgroup", "/b", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && strstr(r.err, "'--cgroup' given twice"),
		  "an option given twice is refused (%s)", flat(r.err));
	run_free(&r);

	r = parse(enable_parse, &a, "enable", "--cgroup", "/db", "--grace-us", "2000", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE &&
		  !strcmp(r.err, "preempthint: --grace-us 2000 is out of range (5..1000 us)\n"),
		  "an out-of-range grace is a usage error with the range (%s)", flat(r.err));
	run_free(&r);

	r = parse(enable_parse, &a, "enable", "--cgroup", "/db", "--mode", "lazy", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && strstr(r.err, "hint, kernel or both, not 'lazy'"),
		  "an unknown mode is a usage error listing the modes (%s)", flat(r.err));
	run_free(&r);

	r = parse(enable_parse, &a, "enable", "--cgroup", "/a/../etc", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE &&
		  !strcmp(r.err, "preempthint: cgroup path '/a/../etc': '..' is not allowed\n"),
		  "a path with '..' is a usage error (%s)", flat(r.err));
	run_free(&r);
}

static void test_other_args(void)
{
	struct ph_cgroup_args c;
	struct ph_set_args s;
	struct run r;

	r = parse(disable_parse, &c, "disable", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && strstr(r.err, "disable: --cgroup PATH is required"),
		  "disable without --cgroup is a usage error");
	run_free(&r);

	r = parse(disable_parse, &c, "disable", "--cgroup", "/sys/fs/cgroup/gone", NULL);
	TAP_CHECK(r.rc == 0 && c.has_cgroup && !strcmp(c.cgroup, "/gone"),
		  "disable normalises its path");
	run_free(&r);

	r = parse(stats_parse, &c, "stats", NULL);
	TAP_CHECK(r.rc == 0 && !c.has_cgroup, "stats without --cgroup means the global counters");
	run_free(&r);

	r = parse(stats_parse, &c, "stats", "--cgroup", "db/", NULL);
	TAP_CHECK(r.rc == 0 && c.has_cgroup && !strcmp(c.cgroup, "/db"), "stats --cgroup db/");
	run_free(&r);

	r = parse(stats_parse, &c, "stats", "--grace-us", "5", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && strstr(r.err, "stats: unknown option '--grace-us'"),
		  "stats refuses another command's option");
	run_free(&r);

	r = parse(set_parse, &s, "set", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && strstr(r.err, "nothing to set"),
		  "set without options is a usage error");
	run_free(&r);

	r = parse(set_parse, &s, "set", "--enabled", "0", NULL);
	TAP_CHECK(r.rc == 0 && s.has_enabled && !s.enabled && !s.has_grace, "set --enabled 0");
	run_free(&r);

	r = parse(set_parse, &s, "set", "--grace-us=75", "--enabled=1", NULL);
	TAP_CHECK(r.rc == 0 && s.has_enabled && s.enabled && s.has_grace && s.grace_us == 75,
		  "set --grace-us=75 --enabled=1");
	run_free(&r);

	r = parse(set_parse, &s, "set", "--enabled", "on", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && strstr(r.err, "--enabled must be 0 or 1, not 'on'"),
		  "set --enabled on is a usage error");
	run_free(&r);

	r = parse(set_parse, &s, "set", "--grace-us", "4", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && strstr(r.err, "out of range"),
		  "set --grace-us 4 is out of range");
	run_free(&r);
}

static void test_cgroup_check(void)
{
	char *root = temp_dir("cgroup");
	struct ph_ctx ctx = { .sysfs = "/nonexistent", .cgroup_root = root };
	struct run r;

	mkdirf(root, "system.slice");
	mkdirf(root, "system.slice/db.service");
	writef(root, "cgroup.procs", "");

	run_begin(&r, &ctx);
	r.rc = ph_cgroup_check(&ctx, "/system.slice/db.service");
	run_end(&ctx);
	TAP_CHECK(r.rc == 0 && !r.err[0], "an existing cgroup directory passes the check");
	run_free(&r);

	run_begin(&r, &ctx);
	r.rc = ph_cgroup_check(&ctx, "/");
	run_end(&ctx);
	TAP_CHECK(r.rc == 0, "the root cgroup passes the check");
	run_free(&r);

	run_begin(&r, &ctx);
	r.rc = ph_cgroup_check(&ctx, "/ph-db");
	run_end(&ctx);
	TAP_CHECK(r.rc == PH_EXIT_FAIL && strstr(r.err, "preempthint: no cgroup /ph-db under ") &&
		  strchr(r.err, '\n') == r.err + strlen(r.err) - 1,
		  "a missing cgroup fails with one line naming it (%s)", flat(r.err));
	run_free(&r);

	run_begin(&r, &ctx);
	r.rc = ph_cgroup_check(&ctx, "/cgroup.procs");
	run_end(&ctx);
	TAP_CHECK(r.rc == PH_EXIT_FAIL && strstr(r.err, "no cgroup /cgroup.procs"),
		  "a file is not a cgroup (%s)", flat(r.err));
	run_free(&r);

	run_begin(&r, &ctx);
	r.rc = ph_cgroup_check(&ctx, "/postgresql@17-main.service");
	run_end(&ctx);
	TAP_CHECK(r.rc == PH_EXIT_FAIL &&
		  strstr(r.err, "'systemctl show -P ControlGroup postgresql@17-main.service'") &&
		  strchr(r.err, '\n') == r.err + strlen(r.err) - 1,
		  "a missing *.service suggests systemctl show, on one line (%s)", flat(r.err));
	run_free(&r);
}

/* An executable script in @dir standing in for systemctl; returns its path. */
static const char *fake_systemctl(const char *dir, const char *name, const char *body)
{
	static char paths[4][512];
	static int next;
	char *path = paths[next++ % 4];
	char text[1200];

	snprintf(text, sizeof(text), "#!/bin/sh\n%s", body);
	writef(dir, name, text);
	snprintf(path, sizeof(paths[0]), "%s/%s", dir, name);
	if (chmod(path, 0755))
		abort();
	return path;
}

/* ph_arg_cgroup with @root as the cgroup root and @prog as systemctl. */
static struct run arg_cgroup(const char *root, const char *prog, const char *in, char *out)
{
	struct ph_ctx ctx = { .sysfs = "/nonexistent", .cgroup_root = root };
	struct run r;

	setenv(PH_SYSTEMCTL_ENV, prog, 1);
	run_begin(&r, &ctx);
	r.rc = ph_arg_cgroup(&ctx, in, out, PH_CGROUP_PATH_MAX);
	run_end(&ctx);
	return r;
}

static void test_systemd(void)
{
	char *bin = temp_dir("bin"), *root = temp_dir("cgroup"), *log;
	char out[PH_CGROUP_PATH_MAX], logpath[128], args[256] = "";
	const char *ok, *empty, *fail, *noisy;
	struct run r;
	FILE *f;
	int ret;

	/* The script checks its arguments and logs them, then answers like systemd. */
	snprintf(logpath, sizeof(logpath), "%s/args.log", bin);
	log = logpath;
	{
		char body[1024];

		snprintf(body, sizeof(body),
			 "echo \"$*\" >>'%s'\n"
			 "[ \"$1 $2 $3\" = 'show -P ControlGroup' ] || exit 3\n"
			 "[ \"$4\" = -- ] && shift\n"
			 "case $4 in -.slice) echo /;; *) echo \"/system.slice/$4\";; esac\n", log);
		ok = fake_systemctl(bin, "ok", body);
	}
	empty = fake_systemctl(bin, "empty", "echo\n");
	fail = fake_systemctl(bin, "fail", "echo /system.slice/x.service; exit 1\n");
	noisy = fake_systemctl(bin, "noisy", "echo 'Failed to connect to bus' >&2; exit 1\n");

	setenv(PH_SYSTEMCTL_ENV, ok, 1);
	ret = ph_systemd_cgroup("postgresql@17-main.service", out, sizeof(out));
	f = fopen(log, "r");
	if (f) {
		if (!fgets(args, sizeof(args), f))
			args[0] = '\0';
		fclose(f);
	}
	TAP_CHECK(ret == 0 && !strcmp(out, "/system.slice/postgresql@17-main.service"),
		  "resolution: the unit's ControlGroup, trailing newline dropped (%d, '%s')", ret,
		  ret ? "" : out);
	TAP_CHECK(!strcmp(args, "show -P ControlGroup postgresql@17-main.service\n"),
		  "resolution runs 'systemctl show -P ControlGroup UNIT' (%s)", flat(args));

	setenv(PH_SYSTEMCTL_ENV, empty, 1);
	TAP_CHECK(ph_systemd_cgroup("db.service", out, sizeof(out)) == -ENOENT,
		  "resolution: empty output (unit not running) is -ENOENT");
	setenv(PH_SYSTEMCTL_ENV, fail, 1);
	TAP_CHECK(ph_systemd_cgroup("db.service", out, sizeof(out)) == -EIO,
		  "resolution: a failing program is -EIO, whatever it printed");
	setenv(PH_SYSTEMCTL_ENV, "/nonexistent/systemctl", 1);
	TAP_CHECK(ph_systemd_cgroup("db.service", out, sizeof(out)) == -EIO,
		  "resolution: a missing program is -EIO");
	setenv(PH_SYSTEMCTL_ENV, ok, 1);
	TAP_CHECK(ph_systemd_cgroup("db.service", out, 10) == -ENAMETOOLONG,
		  "resolution: output longer than the buffer is refused, not cut");

	r = arg_cgroup(root, ok, "db.service", out);
	TAP_CHECK(r.rc == 0 && !strcmp(out, "/system.slice/db.service") && !r.err[0],
		  "--cgroup db.service: resolved through systemctl (%s)", flat(r.err));
	run_free(&r);

	r = arg_cgroup(root, ok, "user.slice", out);
	TAP_CHECK(r.rc == 0 && !strcmp(out, "/system.slice/user.slice"),
		  "--cgroup NAME.slice is resolved too");
	run_free(&r);

	r = arg_cgroup(root, ok, "session-4.scope", out);
	TAP_CHECK(r.rc == 0 && !strcmp(out, "/system.slice/session-4.scope"),
		  "--cgroup NAME.scope is resolved too");
	run_free(&r);

	r = arg_cgroup(root, ok, "-.slice", out);
	TAP_CHECK(r.rc == 0 && !strcmp(out, "/"),
		  "--cgroup -.slice (the root slice) is passed after '--' and gives / (%s)",
		  flat(r.err));
	run_free(&r);

	mkdirf(root, "db.service");
	r = arg_cgroup(root, fail, "db.service", out);
	TAP_CHECK(r.rc == 0 && !strcmp(out, "/db.service"),
		  "a unit name that is a directory under the root is that directory (%s)",
		  flat(r.err));
	run_free(&r);

	r = arg_cgroup(root, fail, "system.slice/web.service", out);
	TAP_CHECK(r.rc == 0 && !strcmp(out, "/system.slice/web.service"),
		  "a path with a slash is a path, never a unit");
	run_free(&r);

	r = arg_cgroup(root, fail, "web.servicex", out);
	TAP_CHECK(r.rc == 0 && !strcmp(out, "/web.servicex"), "other names are paths");
	run_free(&r);

	r = arg_cgroup(root, empty, "web.service", out);
	TAP_CHECK(r.rc == PH_EXIT_FAIL &&
		  !strcmp(r.err, "preempthint: cannot resolve systemd unit web.service (is it running?)\n"),
		  "empty output: one-line error, exit 1 (%s)", flat(r.err));
	run_free(&r);

	r = arg_cgroup(root, noisy, "web.service", out);
	TAP_CHECK(r.rc == PH_EXIT_FAIL &&
		  !strcmp(r.err, "preempthint: cannot resolve systemd unit web.service (is it running?)\n"),
		  "a failing program: the same one line, its own stderr kept out (%s)",
		  flat(r.err));
	run_free(&r);

	r = arg_cgroup(root, "/nonexistent/systemctl", "web.service", out);
	TAP_CHECK(r.rc == PH_EXIT_FAIL && strstr(r.err, "cannot resolve systemd unit web.service"),
		  "a missing program: the same error (%s)", flat(r.err));
	run_free(&r);

	{
		struct ph_enable_args e;
		struct ph_cgroup_args c;

		setenv(PH_SYSTEMCTL_ENV, ok, 1);
		r = parse(enable_parse, &e, "enable", "--cgroup", "ph-unit-test.service", NULL);
		TAP_CHECK(r.rc == 0 && !strcmp(e.cgroup, "/system.slice/ph-unit-test.service"),
			  "enable --cgroup UNIT sends the unit's cgroup (%s)", flat(r.err));
		run_free(&r);
		r = parse(disable_parse, &c, "disable", "--cgroup=ph-unit-test.service", NULL);
		TAP_CHECK(r.rc == 0 && !strcmp(c.cgroup, "/system.slice/ph-unit-test.service"),
			  "disable --cgroup=UNIT too (%s)", flat(r.err));
		run_free(&r);
		setenv(PH_SYSTEMCTL_ENV, empty, 1);
		r = parse(stats_parse, &c, "stats", "--cgroup", "ph-unit-test.service", NULL);
		TAP_CHECK(r.rc == PH_EXIT_FAIL && strstr(r.err, "cannot resolve systemd unit"),
			  "stats --cgroup UNIT fails with the unit's error when it is not running");
		run_free(&r);
	}
	unsetenv(PH_SYSTEMCTL_ENV);
}

int main(void)
{
	test_paths();
	test_values();
	test_enable_args();
	test_other_args();
	test_cgroup_check();
	test_systemd();
	temp_cleanup();
	return tap_done();
}
