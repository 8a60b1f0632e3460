/* SPDX-License-Identifier: GPL-2.0 */
/* Run the CLI in-process with its output captured: shared by the unit tests. */
#ifndef PH_RUN_H
#define PH_RUN_H

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

struct run {
	int rc;
	char *out;
	char *err;
	size_t outlen, errlen;
};

/* Point @ctx's output at memory; run_end() closes it, leaving the text in @r. */
static inline void run_begin(struct run *r, struct ph_ctx *ctx)
{
	memset(r, 0, sizeof(*r));
	ctx->out = open_memstream(&r->out, &r->outlen);
	ctx->err = open_memstream(&r->err, &r->errlen);
}

static inline void run_end(struct ph_ctx *ctx)
{
	fclose(ctx->out);
	fclose(ctx->err);
}

/* ph_main on a NULL-terminated argument list, with the given sysfs and cgroup root. */
static inline struct run run_cli_va(const char *sysfs, const char *cgroup_root, va_list ap)
{
	struct ph_ctx ctx = { .sysfs = sysfs, .cgroup_root = cgroup_root };
	struct run r;
	char *argv[16];
	int argc = 0;

	argv[argc++] = "preempthint";
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	argv[argc] = NULL;

	run_begin(&r, &ctx);
	r.rc = ph_main(&ctx, argc, argv);
	run_end(&ctx);
	return r;
}

static inline struct run run_cli(const char *sysfs, ...)
{
	struct run r;
	va_list ap;

	va_start(ap, sysfs);
	r = run_cli_va(sysfs, NULL, ap);
	va_end(ap);
	return r;
}

static inline struct run run_cli_cg(const char *sysfs, const char *cgroup_root, ...)
{
	struct run r;
	va_list ap;

	va_start(ap, cgroup_root);
	r = run_cli_va(sysfs, cgroup_root, ap);
	va_end(ap);
	return r;
}

/* @s on one line ("\n" escaped), for a TAP description; four calls may share a printf. */
static inline const char *flat(const char *s)
{
	static char bufs[4][512];
	static int next;
	char *buf = bufs[next++ % 4];
	size_t o = 0;

	for (; *s && o + 3 < sizeof(bufs[0]); s++) {
		if (*s == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else {
			buf[o++] = *s;
		}
	}
	buf[o] = '\0';
	return buf;
}

/* Multi-line output as TAP diagnostics ("# " lines), for a check that failed. */
static inline void diag_text(const char *text)
{
	const char *nl;

	for (; *text; text = nl + 1) {
		nl = strchr(text, '\n');
		if (!nl) {
			printf("# %s\n", text);
			return;
		}
		printf("# %.*s\n", (int)(nl - text), text);
	}
}

static inline void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static char *temp_dirs[16];
static int temp_ndirs;

/* A fresh temp dir, removed by temp_cleanup(); @what names it in /tmp. */
static inline char *temp_dir(const char *what)
{
	char *dir = malloc(64);

	snprintf(dir, 64, "/tmp/ph-unit-%s-XXXXXX", what);
	if (!dir || !mkdtemp(dir) || temp_ndirs == 16)
		abort();
	temp_dirs[temp_ndirs++] = dir;
	return dir;
}

/* rm -r, for the small trees the tests make (no symlinks, no deep nesting). */
static inline void temp_rm(const char *path)
{
	char sub[1024];
	struct dirent *d;
	DIR *dir = opendir(path);

	while (dir && (d = readdir(dir)) != NULL) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, d->d_name) >= (int)sizeof(sub))
			continue;
		if (d->d_type == DT_DIR)
			temp_rm(sub);
		else
			unlink(sub);
	}
	if (dir)
		closedir(dir);
	rmdir(path);
}

static inline void temp_cleanup(void)
{
	while (temp_ndirs > 0) {
		temp_rm(temp_dirs[--temp_ndirs]);
		free(temp_dirs[temp_ndirs]);
	}
}

static inline void mkdirf(const char *dir, const char *sub)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (mkdir(path, 0755))
		abort();
}

static inline void writef(const char *dir, const char *sub, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

#endif /* PH_RUN_H */
