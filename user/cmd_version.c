// SPDX-License-Identifier: GPL-2.0
/* preempthint version: the CLI's version and the loaded module's. */
#include "cli.h"
#include "preempthint.h"

int cmd_version(struct ph_ctx *ctx, int argc, char **argv)
{
	char module[64];
	bool loaded;

	(void)argv;
	if (argc > 1) {
		fprintf(ctx->err, "preempthint: 'version' takes no arguments\n");
		return PH_EXIT_USAGE;
	}
	loaded = ph_module_version(ctx->sysfs, module, sizeof(module)) == 0;

	if (ctx->json) {
		fprintf(ctx->out, "{\"cli\":");
		ph_json_string(ctx->out, PREEMPTHINT_VERSION);
		fprintf(ctx->out, ",\"module\":");
		if (loaded)
			ph_json_string(ctx->out, module);
		else
			fprintf(ctx->out, "null");
		fprintf(ctx->out, "}\n");
	} else {
		fprintf(ctx->out, "preempthint %s\n", PREEMPTHINT_VERSION);
		fprintf(ctx->out, "module %s\n", loaded ? module : "not loaded");
	}
	return PH_EXIT_OK;
}
