#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The man page (user/preempthint.8): renders without warnings, and documents
# what the CLI has: every command and option its help lists, every exit
# code of cli.h, the version of the UAPI header, the systemctl override.
top=$(cd "$(dirname "$0")/../.." && pwd)
page=$top/user/preempthint.8
cli=$top/user/preempthint
n=0 fail=0

ok() {	# ok DESCRIPTION CONDITION-EXIT-STATUS [DIAG]
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		[ -n "$3" ] && printf '%s\n' "$3" | sed 's/^/#   /'
		fail=$((fail + 1))
	fi
}

skip() {
	n=$((n + 1))
	echo "ok $n - # SKIP $1"
}

if command -v groff >/dev/null; then
	warn=$(groff -man -ww -z "$page" 2>&1)
	ok "groff -man -ww renders it without a warning" "$([ -z "$warn" ]; echo $?)" "$warn"
	# The text as a reader sees it, for the checks below (no hyphenation).
	text=$(groff -man -Tutf8 -rLL=200n -rHY=0 -P-cbou "$page" 2>/dev/null)
else
	skip "groff not installed (Debian: groff-base)"
	text=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$page")
fi
if command -v man >/dev/null && man --help 2>&1 | grep -q -- --warnings; then
	warn=$(man --warnings -l "$page" 2>&1 >/dev/null)
	ok "man --warnings -l reads it without a warning" "$([ -z "$warn" ]; echo $?)" "$warn"
else
	skip "man-db not installed"
fi

for section in NAME SYNOPSIS DESCRIPTION COMMANDS PATHS OUTPUT "EXIT STATUS" ENVIRONMENT \
	FILES EXAMPLES "SEE ALSO"; do
	grep -q "^\.SH \"\?$section\"\?$" "$page"
	ok "section $section" $?
done

version=$(sed -n 's/^#define PREEMPTHINT_VERSION "\(.*\)"/\1/p' "$top/include/preempthint.h")
grep -q "^\.TH PREEMPTHINT 8 .* \"preempthint $version\"" "$page"
ok ".TH names version $version, as include/preempthint.h" $?

# Exit codes: each of enum ph_exit, as a tag of EXIT STATUS.
codes=$(sed -n 's/^\tPH_EXIT_[A-Z]* = \([0-9]*\),.*/\1/p' "$top/user/cli.h")
for code in $codes; do
	sed -n '/^\.SH "\?EXIT STATUS"\?$/,/^\.SH [A-Z]/p' "$page" | grep -A1 '^\.TP' | grep -q "^\.B $code$"
	ok "EXIT STATUS has $code (cli.h)" $?
done

env=$(sed -n 's/^#define PH_SYSTEMCTL_ENV "\(.*\)"/\1/p' "$top/user/args.h")
sed -n '/^\.SH ENVIRONMENT/,/^\.SH/p' "$page" | grep -q "^\.B $env$"
ok "ENVIRONMENT has $env (args.h)" $?

# Commands and options: from the built CLI's own help.
if [ -x "$cli" ]; then
	commands=$("$cli" help | sed -n 's/^  \([a-z-][a-z-]*\) .*/\1/p')
	synopsis=$(printf '%s\n' "$text" | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p')
	described=$(printf '%s\n' "$text" | sed -n '/^COMMANDS/,/^PATHS/p')
	for cmd in $commands; do
		printf '%s\n' "$synopsis" | grep -q "preempthint $cmd\b"
		ok "SYNOPSIS has '$cmd'" $?
		printf '%s\n' "$described" | grep -q "^ \{7\}$cmd\b"
		ok "COMMANDS describes '$cmd'" $?
		for opt in $("$cli" help "$cmd" | sed -n '1s/^usage: preempthint \[-j\] //p' |
			grep -o -- '--[a-z-]*' | sort -u); do
			printf '%s\n' "$described" | grep -q "^ \{7\}$cmd .*$opt\b"
			ok "'$cmd' is documented with $opt" $?
		done
	done
else
	skip "$cli not built"
fi

echo "1..$n"
echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
