// SPDX-License-Identifier: GPL-2.0
/* Host unit tests of the CLI: dispatch, options, exit codes, output. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "preempthint.h"
#include "tap.h"

struct run {
	int rc;
	char *out;
	char *err;
};

/* Run ph_main on a NULL-terminated argument list, capturing its output. */
static struct run run_cli(const char *sysfs, ...)
{
	struct run r = { 0 };
	size_t outlen, errlen;
	char *argv[16];
	int argc = 0;
	va_list ap;
	struct ph_ctx ctx = { .sysfs = sysfs };

	argv[argc++] = "preempthint";
	va_start(ap, sysfs);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;

	ctx.out = open_memstream(&r.out, &outlen);
	ctx.err = open_memstream(&r.err, &errlen);
	r.rc = ph_main(&ctx, argc, argv);
	fclose(ctx.out);
	fclose(ctx.err);
	return r;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static char *fake_sysfs(const char *version)
{
	static char dir[] = "/tmp/ph-unit-XXXXXX";
	char path[256];
	FILE *f;

	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/module", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/module/preempthint", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/module/preempthint/version", dir);
	f = fopen(path, "w");
	fprintf(f, "%s\n", version);
	fclose(f);
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

int main(void)
{
	test_dispatch();
	test_version();
	test_json();
	return tap_done();
}
