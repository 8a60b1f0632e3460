// SPDX-License-Identifier: GPL-2.0
/* Global options and dispatch to the subcommand table. */
#include <string.h>

#include "cli.h"
#include "config.h"
#include "preempthint.h"

#define PH_STR_(x) #x
#define PH_STR(x) PH_STR_(x)

#define PH_HELP_PATH \
	"  PATH: a cgroup v2 directory, as " PH_CGROUP_ROOT "/a/b, /a/b or a/b (all\n" \
	"  relative to " PH_CGROUP_ROOT "), or / for the root; or a systemd unit\n" \
	"  (NAME.service, .scope or .slice, no slash), whose cgroup\n" \
	"  'systemctl show -P ControlGroup UNIT' prints.\n"
#define PH_HELP_RANGE \
	PH_STR(PREEMPTHINT_GRACE_US_MIN) ".." PH_STR(PREEMPTHINT_GRACE_US_MAX)

static const struct ph_command ph_command_table[] = {
	{ "status", cmd_status, "module, kernel mode, settings, counters and enabled cgroups",
	  "status", NULL },
	{ "stats", cmd_stats, "counters: global, or of one enabled cgroup",
	  "stats [--cgroup PATH]", PH_HELP_PATH },
	{ "enable", cmd_enable, "enable deferral for a cgroup (again: update its settings)",
	  "enable --cgroup PATH [--grace-us N] [--mode hint|kernel|both]",
	  PH_HELP_PATH
	  "  --grace-us: the longest extension, in microseconds, " PH_HELP_RANGE "\n"
	  "  (default: the module's default grace, see 'set').\n"
	  "  --mode: hint (threads that set the hint; the default), kernel (defer\n"
	  "  the tick's full preemption of a task in kernel mode) or both.\n" },
	{ "disable", cmd_disable, "disable deferral for a cgroup",
	  "disable --cgroup PATH", PH_HELP_PATH },
	{ "set", cmd_set, "global switch and default grace for newly enabled cgroups",
	  "set [--enabled 0|1] [--grace-us N]",
	  "  --enabled: 0 stops all deferral, keeping every cgroup's policy; 1 resumes.\n"
	  "  --grace-us: the grace of cgroups enabled without one, " PH_HELP_RANGE " us.\n" },
	{ "monitor", cmd_monitor, "counters as rates, once a second, until interrupted",
	  "monitor [--cgroup PATH] [--count N]",
	  PH_HELP_PATH
	  "  --cgroup: only this enabled cgroup; without it, every enabled cgroup and\n"
	  "  the global counters (the line '(global)').\n"
	  "  --count: stop after N intervals; without it, run until SIGINT or SIGTERM.\n"
	  "  Text: one line per cgroup per second, with the rates of grants,\n"
	  "  expiries, yields, refusals, lock-holder preemptions and kernel-mode\n"
	  "  grants. With -j: one JSON object per line (JSON Lines), with the rates\n"
	  "  and the exact increases of every counter.\n" },
	{ "apply", cmd_apply, "enable the policies of the configuration file",
	  "apply [--config FILE] [--check]",
	  "  --config: the file to apply (default: " PH_CONFIG_DEFAULT "). One policy\n"
	  "  per line: TARGET [grace-us=N] [mode=hint|kernel|both], TARGET a systemd\n"
	  "  unit or a cgroup path; '#' starts a comment. A bad line is reported as\n"
	  "  FILE:LINE and nothing is changed. A unit not running or a cgroup not\n"
	  "  made yet is pending: skipped now, applied by a later 'apply'.\n"
	  "  Policies the file does not name are left as they are.\n"
	  "  --check: parse and resolve only; change nothing (no module needed).\n" },
	{ "reset-stats", cmd_reset_stats, "zero the global and every cgroup's counters",
	  "reset-stats", NULL },
	{ "version", cmd_version, "print the CLI and module versions", "version", NULL },
	{ "help", cmd_help, "show commands, or one command's usage", "help [COMMAND]", NULL },
};

const struct ph_command *ph_commands(size_t *count)
{
	*count = sizeof(ph_command_table) / sizeof(ph_command_table[0]);
	return ph_command_table;
}

const struct ph_command *ph_find_command(const char *name)
{
	size_t i, n;
	const struct ph_command *cmds = ph_commands(&n);

	for (i = 0; i < n; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

/*
 * preempthint [-j|--json] COMMAND [ARGS...]. Global options come before the
 * command; everything after it belongs to the command.
 */
int ph_main(struct ph_ctx *ctx, int argc, char **argv)
{
	const struct ph_command *cmd;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			ctx->json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			return cmd_help(ctx, 0, NULL);
		} else if (!strcmp(argv[i], "--version")) {
			return cmd_version(ctx, 0, NULL);
		} else {
			fprintf(ctx->err, "preempthint: unknown option '%s'; run 'preempthint help'\n",
				argv[i]);
			return PH_EXIT_USAGE;
		}
	}
	if (i == argc) {
		cmd_help(ctx, 0, NULL);
		return PH_EXIT_USAGE;
	}
	cmd = ph_find_command(argv[i]);
	if (!cmd) {
		fprintf(ctx->err, "preempthint: unknown command '%s'; run 'preempthint help'\n",
			argv[i]);
		return PH_EXIT_USAGE;
	}
	/* "preempthint COMMAND --help" is "preempthint help COMMAND". */
	if (argc - i == 2 && (!strcmp(argv[i + 1], "-h") || !strcmp(argv[i + 1], "--help")))
		return cmd_help(ctx, 2, argv + i - 1);
	return cmd->run(ctx, argc - i, argv + i);
}
