// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of /etc/preempthint.conf: the parser (every error with
 * FILE:LINE on one line, nothing kept), and 'apply --check' resolving
 * paths and units against a temp cgroup root and a fake systemctl. The
 * netlink half of 'apply' runs in the guest (tests/guest/t/91-persist.sh).
 */
#include <errno.h>

#include "args.h"
#include "config.h"
#include "preempthint.h"
#include "run.h"
#include "tap.h"

/* Parse @text as file "t.conf"; the errors land in @r. */
static struct run parse(const char *text, struct ph_config *cfg)
{
	struct ph_ctx ctx = { .sysfs = "/nonexistent", .cgroup_root = PH_CGROUP_ROOT };
	struct run r;

	run_begin(&r, &ctx);
	r.rc = ph_config_parse(&ctx, "t.conf", text, cfg);
	run_end(&ctx);
	return r;
}

static void test_parse_good(void)
{
	struct ph_config cfg;
	struct run r;

	r = parse("", &cfg);
	TAP_CHECK(r.rc == 0 && cfg.n == 0, "an empty file is valid and enables nothing");
	run_free(&r);

	r = parse("# only\n\n   \t# comments\n", &cfg);
	TAP_CHECK(r.rc == 0 && cfg.n == 0 && !r.err[0], "comments and blank lines only: valid, empty");
	run_free(&r);

	r = parse("# PostgreSQL\n"
		  "postgresql@17-main.service grace-us=50 mode=hint\n"
		  "\n"
		  "/sys/fs/cgroup/system.slice/batch.service\tmode=kernel   # comment\n"
		  "  user.slice//app/ grace-us=1000 mode=both\n"
		  "/db#1 grace-us=5\n"
		  "/last mode=hint", &cfg);
	TAP_CHECK(r.rc == 0 && cfg.n == 5, "five policies parse (rc %d, n %zu, err '%s')", r.rc,
		  cfg.n, flat(r.err));
	if (cfg.n == 5) {
		TAP_CHECK(cfg.v[0].unit && !strcmp(cfg.v[0].target, "postgresql@17-main.service") &&
			  cfg.v[0].line == 2 && cfg.v[0].has_grace && cfg.v[0].grace_us == 50 &&
			  cfg.v[0].has_mode && cfg.v[0].mode == PREEMPTHINT_MODE_HINT,
			  "a unit with grace and mode, on line 2");
		TAP_CHECK(!cfg.v[1].unit && !strcmp(cfg.v[1].target, "/system.slice/batch.service") &&
			  cfg.v[1].line == 4 && !cfg.v[1].has_grace &&
			  cfg.v[1].mode == PREEMPTHINT_MODE_KERNEL,
			  "a /sys/fs/cgroup path is made relative; tab-separated; trailing comment (%s)",
			  cfg.v[1].target);
		TAP_CHECK(!strcmp(cfg.v[2].target, "/user.slice/app") && cfg.v[2].grace_us == 1000 &&
			  cfg.v[2].mode == PREEMPTHINT_MODE_ALL,
			  "leading blanks, a relative path squeezed, grace 1000, mode both (%s)",
			  cfg.v[2].target);
		TAP_CHECK(!strcmp(cfg.v[3].target, "/db#1") && cfg.v[3].grace_us == 5,
			  "'#' inside a path is not a comment; grace 5");
		TAP_CHECK(!strcmp(cfg.v[4].target, "/last") && cfg.v[4].line == 7,
			  "a last line without a newline counts");
	}
	ph_config_free(&cfg);
	run_free(&r);
}

/* @text must be refused at @line with a message containing @what. */
static void bad(const char *text, unsigned int line, const char *what)
{
	struct ph_config cfg;
	char want[64];
	struct run r = parse(text, &cfg);

	snprintf(want, sizeof(want), "preempthint: t.conf:%u: ", line);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && !strncmp(r.err, want, strlen(want)) &&
		  strstr(r.err, what) && strchr(r.err, '\n') == r.err + strlen(r.err) - 1 &&
		  cfg.n == 0 && !cfg.v && !r.out[0],
		  "refused at line %u, one line, nothing kept: %s", line, flat(r.err));
	run_free(&r);
}

static void test_parse_bad(void)
{
	char *big = malloc(PH_CGROUP_PATH_MAX + 400);

	bad("a grace-us=4\n", 1, "grace-us=4 is out of range (5..1000 us)");
	bad("# x\na\nb grace-us=1001\n", 3, "out of range");
	bad("a grace-us=fast\n", 1, "grace-us wants microseconds, not 'fast'");
	bad("a grace-us=\n", 1, "grace-us wants microseconds, not ''");
	bad("a grace-us=+50\n", 1, "wants microseconds");
	bad("a mode=fast\n", 1, "mode must be hint, kernel or both, not 'fast'");
	bad("a mode\n", 1, "mode must be hint, kernel or both, not ''");
	bad("a grace=50\n", 1, "unknown setting 'grace'");
	bad("a 50\n", 1, "unknown setting '50'");
	bad("a grace-us=50 grace-us=60\n", 1, "grace-us is given twice");
	bad("a mode=hint mode=kernel\n", 1, "mode is given twice");
	bad("a grace-us=50 mode=hint extra\n", 1, "too many fields");
	bad("grace-us=50 a\n", 1, "starts with a systemd unit or cgroup path");
	bad("/a/../b\n", 1, "'..' is not allowed");
	bad("/a\nsys/fs/cgroup/x\n/sys/fs/cgroup/a/\n", 3, "/a is already configured on line 1");
	bad("db.service\n\ndb.service mode=kernel\n", 3,
	    "db.service is already configured on line 1");

	memset(big, 'x', PH_CGROUP_PATH_MAX + 300);
	big[0] = '/';
	big[PH_CGROUP_PATH_MAX + 300] = '\0';
	bad(big, 1, "too long");
	free(big);
}

static void test_load(void)
{
	char *dir = temp_dir("conf");
	struct ph_ctx ctx = { .sysfs = "/nonexistent", .cgroup_root = PH_CGROUP_ROOT };
	struct ph_config cfg;
	char path[256];
	struct run r;

	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	run_begin(&r, &ctx);
	r.rc = ph_config_load(&ctx, path, &cfg);
	run_end(&ctx);
	TAP_CHECK(r.rc == PH_EXIT_FAIL && strstr(r.err, "cannot read") &&
		  strstr(r.err, "No such file"), "a missing file fails with its name and why: %s",
		  flat(r.err));
	run_free(&r);

	snprintf(path, sizeof(path), "%s/nul.conf", dir);
	{
		FILE *f = fopen(path, "w");

		fwrite("a\0b\n", 1, 4, f);
		fclose(f);
	}
	run_begin(&r, &ctx);
	r.rc = ph_config_load(&ctx, path, &cfg);
	run_end(&ctx);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && strstr(r.err, "not a text file"),
		  "a file with NUL bytes is refused: %s", flat(r.err));
	run_free(&r);
}

/* An executable script in @dir standing in for systemctl. */
static void fake_systemctl(const char *dir, const char *body)
{
	char text[600], path[300];

	snprintf(text, sizeof(text), "#!/bin/sh\n%s", body);
	writef(dir, "systemctl", text);
	snprintf(path, sizeof(path), "%s/systemctl", dir);
	if (chmod(path, 0755))
		abort();
	setenv(PH_SYSTEMCTL_ENV, path, 1);
}

static void test_apply_check(void)
{
	char *root = temp_dir("cg"), *bin = temp_dir("bin"), *etc = temp_dir("etc");
	char conf[256], text[512];
	struct run r;

	mkdirf(root, "system.slice");
	mkdirf(root, "system.slice/system-postgresql.slice");
	mkdirf(root, "system.slice/system-postgresql.slice/postgresql@17-main.service");
	mkdirf(root, "ph");
	/* Running units print their cgroup; others print nothing (not running). */
	fake_systemctl(bin, "case \"$4\" in postgresql@17-main.service) "
			    "echo /system.slice/system-postgresql.slice/postgresql@17-main.service;; "
			    "*) echo;; esac\n");
	snprintf(conf, sizeof(conf), "%s/preempthint.conf", etc);
	snprintf(text, sizeof(text),
		 "postgresql@17-main.service grace-us=100\n"
		 "postgresql@18-main.service\n"
		 "%s/ph mode=both\n"
		 "/not-yet mode=kernel\n", root);
	writef(etc, "preempthint.conf", text);

	r = run_cli_cg("/nonexistent", root, "apply", "--config", conf, "--check", NULL);
	TAP_CHECK(r.rc == 0, "apply --check exits 0 without the module (got %d: %s)", r.rc,
		  flat(r.err));
	TAP_CHECK(strstr(r.out, "would enable /system.slice/system-postgresql.slice/postgresql@17-main.service (")
		  && strstr(r.out, "would enable /ph (") &&
		  strstr(r.out, "pending postgresql@18-main.service: unit not running (") &&
		  strstr(r.out, "pending /not-yet: no such cgroup yet (") &&
		  strstr(r.out, ": 2 to enable, 2 pending\n"),
		  "a running unit and a cgroup resolve, a stopped unit and a missing cgroup are pending: %s",
		  flat(r.out));
	run_free(&r);

	r = run_cli_cg("/nonexistent", root, "-j", "apply", "--check", "--config", conf, NULL);
	TAP_CHECK(r.rc == 0 && strstr(r.out, "\"check\":true") &&
		  strstr(r.out, "{\"line\":1,\"target\":\"postgresql@17-main.service\",\"cgroup\":"
			 "\"/system.slice/system-postgresql.slice/postgresql@17-main.service\","
			 "\"state\":\"ready\",\"grace_us\":100,\"mode\":\"hint\"}") &&
		  strstr(r.out, "{\"line\":4,\"target\":\"/not-yet\",\"cgroup\":null,"
			 "\"state\":\"pending\",\"grace_us\":null,\"mode\":\"kernel\"}"),
		  "apply -j --check: one JSON object with every line's state: %s", flat(r.out));
	run_free(&r);

	/* Without --check and without the module: parsed, resolved, then 69. */
	r = run_cli_cg("/nonexistent", root, "apply", "--config", conf, NULL);
	TAP_CHECK(r.rc == PH_EXIT_UNAVAILABLE && !r.out[0] && strstr(r.err, "module not loaded"),
		  "apply without the module exits 69 and prints nothing on stdout: %s",
		  flat(r.err));
	run_free(&r);

	/* A bad line: 64 before anything is resolved or sent. */
	writef(etc, "preempthint.conf", "postgresql@17-main.service\n/ph mode=all\n");
	r = run_cli_cg("/nonexistent", root, "apply", "--config", conf, NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && strstr(r.err, "preempthint.conf:2: mode must be") &&
		  !strstr(r.err, "module"),
		  "a bad line exits 64 naming FILE:2, before the module is asked: %s", flat(r.err));
	run_free(&r);

	/* systemctl itself failing is an error, not "pending". */
	writef(etc, "preempthint.conf", "/ph\ndb.service\n");
	fake_systemctl(bin, "exit 1\n");
	r = run_cli_cg("/nonexistent", root, "apply", "--check", "--config", conf, NULL);
	TAP_CHECK(r.rc == PH_EXIT_FAIL && strstr(r.err, "preempthint.conf:2: cannot resolve systemd unit db.service") &&
		  !r.out[0], "a failing systemctl exits 1 naming the line: %s", flat(r.err));
	run_free(&r);
	unsetenv(PH_SYSTEMCTL_ENV);

	r = run_cli_cg("/nonexistent", root, "apply", "--config", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && strstr(r.err, "'--config' needs a value"),
		  "--config without a value is a usage error");
	run_free(&r);

	r = run_cli_cg("/nonexistent", root, "apply", "--frob", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && strstr(r.err, "unknown option '--frob'"),
		  "an unknown option is a usage error");
	run_free(&r);

	r = run_cli_cg("/nonexistent", root, "apply", "--config", "/nonexistent/x.conf", "--check",
		       NULL);
	TAP_CHECK(r.rc == PH_EXIT_FAIL && strstr(r.err, "cannot read /nonexistent/x.conf"),
		  "a missing --config file exits 1 with its name");
	run_free(&r);

	r = run_cli_cg("/nonexistent", root, "help", "apply", NULL);
	TAP_CHECK(r.rc == 0 && strstr(r.out, "usage: preempthint [-j] apply [--config FILE] [--check]") &&
		  strstr(r.out, PH_CONFIG_DEFAULT), "'help apply' shows the usage and the default file");
	run_free(&r);
}

int main(void)
{
	test_parse_good();
	test_parse_bad();
	test_load();
	test_apply_check();
	temp_cleanup();
	return tap_done();
}
