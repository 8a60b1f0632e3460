// SPDX-License-Identifier: GPL-2.0
/* Host unit tests of the CLI: dispatch, options, exit codes, output. */
#include "cli.h"
#include "preempthint.h"
#include "run.h"
#include "tap.h"

static char *fake_sysfs(const char *version)
{
	char *dir = temp_dir("sysfs");
	char text[64];

	mkdirf(dir, "module");
	mkdirf(dir, "module/preempthint");
	snprintf(text, sizeof(text), "%s\n", version);
	writef(dir, "module/preempthint/version", text);
	return dir;
}

static void test_dispatch(void)
{
	struct run r;

	TAP_CHECK(ph_find_command("version") != NULL, "the table has 'version'");
	TAP_CHECK(ph_find_command("help") != NULL, "the table has 'help'");
	TAP_CHECK(ph_find_command("nope") == NULL, "an unknown name finds nothing");

	r = run_cli("/nonexistent", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE, "no command exits %d (got %d)", PH_EXIT_USAGE, r.rc);
	TAP_CHECK(strstr(r.out, "commands:") != NULL, "no command prints the command list");
	run_free(&r);

	r = run_cli("/nonexistent", "frobnicate", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE, "an unknown command exits %d", PH_EXIT_USAGE);
	TAP_CHECK(strstr(r.err, "unknown command 'frobnicate'") != NULL,
		  "an unknown command is named in a one-line error");
	TAP_CHECK(r.out[0] == '\0', "an unknown command prints nothing on stdout");
	run_free(&r);

	r = run_cli("/nonexistent", "--frob", "version", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && strstr(r.err, "unknown option '--frob'"),
		  "an unknown global option is refused with its name");
	run_free(&r);

	r = run_cli("/nonexistent", "help", "version", NULL);
	TAP_CHECK(r.rc == 0 && strstr(r.out, "usage: preempthint [-j] version"),
		  "'help version' prints that command's usage");
	run_free(&r);

	r = run_cli("/nonexistent", "help", "nope", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE, "'help nope' is a usage error");
	run_free(&r);
}

static void test_version(void)
{
	char *sysfs = fake_sysfs("9.8.7");
	struct run r;

	r = run_cli(sysfs, "version", NULL);
	TAP_CHECK(r.rc == 0, "version exits 0 with the module loaded");
	TAP_CHECK(strstr(r.out, "preempthint " PREEMPTHINT_VERSION "\n") != NULL,
		  "version prints the CLI version from the UAPI header");
	TAP_CHECK(strstr(r.out, "module 9.8.7\n") != NULL,
		  "version prints the module version read from sysfs");
	run_free(&r);

	r = run_cli(sysfs, "-j", "version", NULL);
	TAP_CHECK(!strcmp(r.out, "{\"cli\":\"" PREEMPTHINT_VERSION "\",\"module\":\"9.8.7\"}\n"),
		  "version -j prints one JSON object");
	run_free(&r);

	r = run_cli("/nonexistent", "--json", "version", NULL);
	TAP_CHECK(r.rc == 0 && strstr(r.out, "\"module\":null"),
		  "version -j says module null when it is not loaded");
	run_free(&r);

	r = run_cli(sysfs, "version", "extra", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE, "version refuses extra arguments");
	run_free(&r);
}

static void test_json(void)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	ph_json_string(f, "a\"b\\c\n\x01z");
	fclose(f);
	TAP_CHECK(!strcmp(buf, "\"a\\\"b\\\\c\\n\\u0001z\""),
		  "JSON strings escape quotes, backslashes and control bytes (%s)", buf);
	free(buf);
}

static void test_commands(void)
{
	static const char *const names[] = {
		"status", "stats", "enable", "disable", "set", "reset-stats", "monitor",
	};
	struct run r;
	size_t i;

	r = run_cli("/nonexistent", "help", NULL);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		TAP_CHECK(ph_find_command(names[i]) != NULL, "the table has '%s'", names[i]);
		TAP_CHECK(strstr(r.out, names[i]) != NULL, "'help' lists '%s'", names[i]);
	}
	run_free(&r);

	r = run_cli("/nonexistent", "help", "enable", NULL);
	TAP_CHECK(r.rc == 0 && strstr(r.out, "usage: preempthint [-j] enable --cgroup PATH "
				       "[--grace-us N] [--mode hint|kernel|both]\n"),
		  "'help enable' prints the synopsis");
	TAP_CHECK(strstr(r.out, "systemctl show -P ControlGroup") != NULL,
		  "'help enable' explains PATH, systemd units included");
	run_free(&r);

	r = run_cli("/nonexistent", "help", "monitor", NULL);
	TAP_CHECK(r.rc == 0 && strstr(r.out, "usage: preempthint [-j] monitor [--cgroup PATH] "
				       "[--count N]\n") && strstr(r.out, "JSON Lines"),
		  "'help monitor' prints the synopsis and the output formats");
	run_free(&r);

	r = run_cli("/nonexistent", "monitor", "--count", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && strstr(r.err, "option '--count' needs a value"),
		  "monitor --count without N is a usage error (%s)", flat(r.err));
	run_free(&r);

	r = run_cli("/nonexistent", "disable", "--help", NULL);
	TAP_CHECK(r.rc == 0 && strstr(r.out, "usage: preempthint [-j] disable --cgroup PATH"),
		  "'disable --help' is 'help disable'");
	run_free(&r);
}

/* One line on stderr, "preempthint: ..." */
static bool one_error_line(const char *err)
{
	const char *nl = strchr(err, '\n');

	return !strncmp(err, "preempthint: ", 13) && nl && !nl[1];
}

/*
 * Without the module the family does not resolve: every netlink command
 * says so and exits PH_EXIT_UNAVAILABLE. This goes through a real generic
 * netlink socket, so it is skipped on a host where the module is loaded.
 */
static void test_unavailable(void)
{
	static const char *const cmds[][4] = {
		{ "status" },
		{ "stats" },
		{ "stats", "--cgroup", "/ph-db" },
		{ "enable", "--cgroup", "/ph-db" },
		{ "enable", "--cgroup", "ph-db", "--grace-us=100" },
		{ "disable", "--cgroup", "/ph-db" },
		{ "set", "--enabled", "1" },
		{ "reset-stats" },
		{ "monitor" },
		{ "monitor", "--count", "1" },
		{ "monitor", "--cgroup", "/ph-db" },
	};
	const char *msg = "preempthint: module not loaded (modprobe preempthint)\n";
	char *cgroot = temp_dir("cgroup"), *sysfs = fake_sysfs("0.1.0");
	char line[128];
	struct run r;
	size_t i;

	if (!access("/sys/module/" PREEMPTHINT_MODNAME, F_OK)) {
		TAP_CHECK(1, "# SKIP the module is loaded on this host: no family-missing tests");
		return;
	}
	mkdirf(cgroot, "ph-db");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(line, sizeof(line), "%s%s%s%s%s%s%s", cmds[i][0],
			 cmds[i][1] ? " " : "", cmds[i][1] ? cmds[i][1] : "",
			 cmds[i][2] ? " " : "", cmds[i][2] ? cmds[i][2] : "",
			 cmds[i][3] ? " " : "", cmds[i][3] ? cmds[i][3] : "");
		r = run_cli_cg("/nonexistent", cgroot, "-j", cmds[i][0], cmds[i][1], cmds[i][2],
			       cmds[i][3], NULL);
		TAP_CHECK(r.rc == PH_EXIT_UNAVAILABLE && !strcmp(r.err, msg) && !r.out[0],
			  "'-j %s' without the module exits %d, says so, prints no JSON (rc %d, '%s')",
			  line, PH_EXIT_UNAVAILABLE, r.rc, flat(r.err));
		run_free(&r);
	}

	r = run_cli(sysfs, "status", NULL);
	TAP_CHECK(r.rc == PH_EXIT_UNAVAILABLE && one_error_line(r.err) &&
		  strstr(r.err, "module loaded but its netlink family is missing"),
		  "with the module in sysfs but no family, the error says the family is missing (%s)",
		  flat(r.err));
	run_free(&r);
}

/* Local checks come before the socket: their errors name the path. */
static void test_local_checks(void)
{
	char *cgroot = temp_dir("cgroup");
	struct run r;

	r = run_cli_cg("/nonexistent", cgroot, "enable", "--cgroup", "nope", NULL);
	TAP_CHECK(r.rc == PH_EXIT_FAIL && one_error_line(r.err) &&
		  strstr(r.err, "no cgroup /nope under "),
		  "enable of a missing cgroup fails before netlink, naming it (%s)", flat(r.err));
	run_free(&r);

	r = run_cli_cg("/nonexistent", cgroot, "enable", "--cgroup", "x/../y", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && one_error_line(r.err) && strstr(r.err, "'x/../y'"),
		  "a path with '..' is a usage error naming it (%s)", flat(r.err));
	run_free(&r);

	r = run_cli_cg("/nonexistent", cgroot, "-j", "enable", "--cgroup", "/ph-db",
		       "--grace-us", "1001", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && one_error_line(r.err) && !r.out[0],
		  "an out-of-range grace is a usage error, before anything else (%s)", flat(r.err));
	run_free(&r);

	r = run_cli_cg("/nonexistent", cgroot, "status", "--verbose", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && strstr(r.err, "unknown option '--verbose'"),
		  "status refuses unknown options (%s)", flat(r.err));
	run_free(&r);
}

int main(void)
{
	test_dispatch();
	test_version();
	test_json();
	test_commands();
	test_unavailable();
	test_local_checks();
	temp_cleanup();
	return tap_done();
}
