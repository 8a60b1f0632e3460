// SPDX-License-Identifier: GPL-2.0
/* JSON output: strings with RFC 8259 escaping, and a nesting-aware writer. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include "cli.h"

void ph_json_string(FILE *out, const char *s)
{
	const unsigned char *p;

	fputc('"', out);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

void ph_json_init(struct ph_json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
}

/* The comma (if this level already has a member) and the key, if any. */
static void ph_json_member(struct ph_json *j, const char *key)
{
	if (j->depth > 0) {
		if (j->more[j->depth - 1])
			fputc(',', j->out);
		j->more[j->depth - 1] = true;
	}
	if (key) {
		ph_json_string(j->out, key);
		fputc(':', j->out);
	}
}

static void ph_json_open(struct ph_json *j, const char *key, char open, char close)
{
	/* Our documents nest four deep at most; deeper is a bug, not input. */
	if (j->depth == PH_JSON_DEPTH)
		abort();
	ph_json_member(j, key);
	fputc(open, j->out);
	j->more[j->depth] = false;
	j->close[j->depth] = close;
	j->depth++;
}

void ph_json_obj(struct ph_json *j, const char *key)
{
	ph_json_open(j, key, '{', '}');
}

void ph_json_arr(struct ph_json *j, const char *key)
{
	ph_json_open(j, key, '[', ']');
}

void ph_json_end(struct ph_json *j)
{
	if (j->depth == 0)
		abort();
	j->depth--;
	fputc(j->close[j->depth], j->out);
	if (j->depth == 0)
		fputc('\n', j->out);
}

void ph_json_str(struct ph_json *j, const char *key, const char *s)
{
	ph_json_member(j, key);
	if (s)
		ph_json_string(j->out, s);
	else
		fputs("null", j->out);
}

/* Counters are u64: printed exactly (JSON numbers have no width limit). */
void ph_json_u64(struct ph_json *j, const char *key, uint64_t v)
{
	ph_json_member(j, key);
	fprintf(j->out, "%" PRIu64, v);
}

void ph_json_bool(struct ph_json *j, const char *key, bool v)
{
	ph_json_member(j, key);
	fputs(v ? "true" : "false", j->out);
}

/* Fixed-point, @decimals after the point; JSON has no NaN or infinity: those are null. */
void ph_json_double(struct ph_json *j, const char *key, double v, int decimals)
{
	ph_json_member(j, key);
	if (isfinite(v))
		fprintf(j->out, "%.*f", decimals, v);
	else
		fputs("null", j->out);
}
