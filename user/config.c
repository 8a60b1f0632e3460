// SPDX-License-Identifier: GPL-2.0
/* The configuration file: parsing only (config.h); cmd_apply.c applies it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "preempthint.h"

#define PH_CONFIG_LINE_MAX (PH_CGROUP_PATH_MAX + 256)

void ph_config_free(struct ph_config *cfg)
{
	free(cfg->v);
	cfg->v = NULL;
	cfg->n = 0;
}

/* Split @line in place at blanks, up to a field starting with '#'. */
static int ph_config_fields(char *line, char **fields, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		p += strspn(p, " \t\r");
		if (!*p || *p == '#')
			return n;
		if (n == max)
			return max + 1;
		fields[n++] = p;
		p += strcspn(p, " \t\r");
		if (*p)
			*p++ = '\0';
	}
}

/* Only blanks, or a comment? */
static bool ph_config_blank(const char *line)
{
	line += strspn(line, " \t\r");
	return !*line || *line == '#';
}

/* One "key=value" setting into @e: NULL, or why it is refused (in @why). */
static const char *ph_config_setting(const char *field, struct ph_config_entry *e,
				     char *why, size_t len)
{
	const char *eq = strchr(field, '=');
	const char *value = eq ? eq + 1 : "";
	size_t klen = eq ? (size_t)(eq - field) : strlen(field);
	int ret;

	if (klen == 8 && !strncmp(field, "grace-us", 8)) {
		if (e->has_grace)
			return "grace-us is given twice";
		ret = ph_grace_parse(value, &e->grace_us);
		if (ret == -EINVAL)
			snprintf(why, len, "grace-us wants microseconds, not '%s'", value);
		else if (ret)
			snprintf(why, len, "grace-us=%s is out of range (%u..%u us)", value,
				 PREEMPTHINT_GRACE_US_MIN, PREEMPTHINT_GRACE_US_MAX);
		e->has_grace = true;
		return ret ? why : NULL;
	}
	if (klen == 4 && !strncmp(field, "mode", 4)) {
		if (e->has_mode)
			return "mode is given twice";
		e->has_mode = true;
		if (!ph_mode_parse(value, &e->mode))
			return NULL;
		snprintf(why, len, "mode must be hint, kernel or both, not '%s'", value);
		return why;
	}
	snprintf(why, len, "unknown setting '%.*s' (grace-us=N or mode=hint|kernel|both)",
		 (int)klen, field);
	return why;
}

/* One non-empty line into @e: NULL, or why it is refused. */
static const char *ph_config_line(struct ph_ctx *ctx, char *line, struct ph_config_entry *e,
				  char *why, size_t len)
{
	char *fields[3];
	const char *err;
	int n = ph_config_fields(line, fields, 3), i;

	if (n > 3)
		return "too many fields (TARGET [grace-us=N] [mode=M])";
	if (strchr(fields[0], '=')) {
		snprintf(why, len, "a line starts with a systemd unit or cgroup path, not '%s'",
			 fields[0]);
		return why;
	}
	e->unit = ph_is_unit_name(fields[0]);
	if (e->unit) {
		if (strlen(fields[0]) >= sizeof(e->target))
			return "unit name too long";
		strcpy(e->target, fields[0]);
	} else {
		err = ph_cgroup_normalise(ph_cgroup_root(ctx), fields[0], e->target,
					  sizeof(e->target));
		if (err) {
			snprintf(why, len, "cgroup path '%s': %s", fields[0], err);
			return why;
		}
	}
	for (i = 1; i < n; i++) {
		err = ph_config_setting(fields[i], e, why, len);
		if (err)
			return err;
	}
	return NULL;
}

int ph_config_parse(struct ph_ctx *ctx, const char *file, const char *text,
		    struct ph_config *cfg)
{
	char *line = malloc(PH_CONFIG_LINE_MAX), why[PH_CGROUP_PATH_MAX + 128];
	struct ph_config_entry e;
	const char *err = NULL;
	unsigned int lineno = 0;
	size_t len, i;
	void *grown;

	memset(cfg, 0, sizeof(*cfg));
	if (!line) {
		fprintf(ctx->err, "preempthint: out of memory\n");
		return PH_EXIT_FAIL;
	}
	while (*text && !err) {
		lineno++;
		len = strcspn(text, "\n");
		if (len >= PH_CONFIG_LINE_MAX) {
			err = "line too long";
			break;
		}
		memcpy(line, text, len);
		line[len] = '\0';
		text += len + (text[len] == '\n');
		if (ph_config_blank(line))
			continue;
		memset(&e, 0, sizeof(e));
		e.line = lineno;
		err = ph_config_line(ctx, line, &e, why, sizeof(why));
		if (err)
			break;
		for (i = 0; i < cfg->n; i++) {
			if (!strcmp(cfg->v[i].target, e.target)) {
				snprintf(why, sizeof(why), "%s is already configured on line %u",
					 e.target, cfg->v[i].line);
				err = why;
				break;
			}
		}
		if (err)
			break;
		if (cfg->n == PH_CONFIG_MAX) {
			snprintf(why, sizeof(why), "more than %d policies", PH_CONFIG_MAX);
			err = why;
			break;
		}
		grown = realloc(cfg->v, (cfg->n + 1) * sizeof(*cfg->v));
		if (!grown) {
			err = "out of memory";
			break;
		}
		cfg->v = grown;
		cfg->v[cfg->n++] = e;
	}
	free(line);
	if (!err)
		return PH_EXIT_OK;
	fprintf(ctx->err, "preempthint: %s:%u: %s\n", file, lineno, err);
	ph_config_free(cfg);
	return PH_EXIT_USAGE;
}

int ph_config_load(struct ph_ctx *ctx, const char *file, struct ph_config *cfg)
{
	char *text = NULL;
	size_t len = 0, n;
	FILE *f = fopen(file, "r");
	FILE *mem;
	char buf[4096];
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	if (!f) {
		fprintf(ctx->err, "preempthint: cannot read %s: %s\n", file, strerror(errno));
		return PH_EXIT_FAIL;
	}
	mem = open_memstream(&text, &len);
	if (!mem) {
		fclose(f);
		fprintf(ctx->err, "preempthint: out of memory\n");
		return PH_EXIT_FAIL;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, mem);
	ret = ferror(f);
	fclose(f);
	fclose(mem);
	if (ret) {
		fprintf(ctx->err, "preempthint: cannot read %s\n", file);
		free(text);
		return PH_EXIT_FAIL;
	}
	if (strlen(text) != len) {
		fprintf(ctx->err, "preempthint: %s: not a text file (NUL bytes)\n", file);
		free(text);
		return PH_EXIT_USAGE;
	}
	ret = ph_config_parse(ctx, file, text, cfg);
	free(text);
	return ret;
}
