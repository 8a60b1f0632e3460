#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bash completion (user/preempthint.bash-completion): sourced here and
# driven through COMP_WORDS/COMP_CWORD as bash would. Its lists of commands
# and options are checked against what the built CLI's help says.
top=$(cd "$(dirname "$0")/../.." && pwd)
file=$top/user/preempthint.bash-completion
cli=$top/user/preempthint
n=0 fail=0

t() {	# t DESCRIPTION WANT GOT
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		echo "#   want: '$2'"
		echo "#   got:  '$3'"
		fail=$((fail + 1))
	fi
}

# comp WORD...: the candidates for the last word, sorted, on one line.
comp() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_preempthint preempthint "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | LC_ALL=C sort | paste -sd ' ' -
}

bash -n "$file"
t "the completion file parses (bash -n)" 0 $?

# shellcheck source=../../user/preempthint.bash-completion
. "$file"
t "sourcing it registers _preempthint for preempthint" \
	"complete -F _preempthint preempthint" "$(complete -p preempthint 2>&1)"

cmds="apply disable enable help monitor reset-stats set stats status version"
t "commands" "$cmds" "$(comp preempthint '')"
t "a command's prefix" "monitor" "$(comp preempthint mo)"
t "global options" "--help --json --version -h -j" "$(comp preempthint -)"
t "commands after a global option" "stats status" "$(comp preempthint -j st)"
t "enable's options" "--cgroup --grace-us --help --mode" "$(comp preempthint enable --)"
t "options already given are not offered again; --help only alone" \
	"--grace-us --mode" "$(comp preempthint enable --cgroup db --)"
t "... nor given as --opt=value" "--cgroup --grace-us" \
	"$(comp preempthint enable --mode = kernel --)"
t "--mode values" "both hint kernel" "$(comp preempthint enable --mode '')"
t "--mode value prefix" "kernel" "$(comp preempthint enable --mode k)"
t "--mode=VALUE, split at '=' by bash" "both" "$(comp preempthint enable --mode = b)"
t "--mode= with nothing after it yet" "both hint kernel" "$(comp preempthint enable --mode =)"
t "--mode=VALUE as one word (no '=' in COMP_WORDBREAKS)" "--mode=both" \
	"$(comp preempthint enable --mode=b)"
t "--enabled values" "0 1" "$(comp preempthint set --enabled '')"
t "set's options" "--enabled --grace-us --help" "$(comp preempthint set --)"
t "monitor's options" "--cgroup --count --help" "$(comp preempthint -j monitor --)"
t "no guess at a number" "" "$(comp preempthint monitor --count '')"
t "status takes no options but --help" "--help" "$(comp preempthint status --)"
t "apply's options" "--check --config --help" "$(comp preempthint apply --)"
t "apply: --check once" "--config" "$(comp preempthint apply --check --)"
conf_dir=$(mktemp -d /tmp/ph-unit-conf-XXXXXX)
touch "$conf_dir/preempthint.conf" "$conf_dir/other.conf"
t "apply --config completes file names" "$conf_dir/preempthint.conf" \
	"$(comp preempthint apply --config "$conf_dir/pre")"
rm -rf "$conf_dir"
t "help COMMAND" "stats status" "$(comp preempthint help st)"
t "help takes one command" "" "$(comp preempthint help status '')"

root=$(mktemp -d /tmp/ph-unit-comp-XXXXXX)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/system.slice/postgresql@17-main.service" "$root/system.slice/ssh.service" \
	"$root/system.slice/system-systemd\x2dfsck.slice" \
	"$root/user.slice" "$root/ph db"
touch "$root/cgroup.procs" "$root/system.slice/cgroup.procs"
export PREEMPTHINT_COMP_CGROUP_ROOT=$root
t "--cgroup: the directories under the root, relative, with a slash" \
	'ph\ db/ system.slice/ user.slice/' "$(comp preempthint enable --cgroup '')"
t "--cgroup: descends into a directory, files left out" \
	'system.slice/postgresql@17-main.service/ system.slice/ssh.service/ system.slice/system-systemd\\x2dfsck.slice/' \
	"$(comp preempthint stats --cgroup system.slice/)"
t "--cgroup: a prefix" "system.slice/postgresql@17-main.service/" \
	"$(comp preempthint monitor --cgroup system.slice/po)"
t "--cgroup: the /-rooted form stays /-rooted" "/system.slice/" \
	"$(comp preempthint disable --cgroup /sys)"
t "--cgroup=PATH, split at '='" "user.slice/" "$(comp preempthint enable --cgroup = us)"
t "--cgroup: nothing matches" "" "$(comp preempthint enable --cgroup nope)"

# Against the CLI itself: every command it lists, every option of its usage.
if [ -x "$cli" ]; then
	want=$("$cli" help | sed -n 's/^  \([a-z-][a-z-]*\) .*/\1/p' | LC_ALL=C sort | paste -sd ' ' -)
	t "the commands are those 'preempthint help' lists" "$want" "$(comp preempthint '')"
	for cmd in $want; do
		opts=$("$cli" help "$cmd" | sed -n '1s/^usage: preempthint \[-j\] //p' |
			grep -o -- '--[a-z-]*' | LC_ALL=C sort -u | paste -sd ' ' -)
		got=$(comp preempthint "$cmd" -- | sed 's/ *--help//; s/^--help *//')
		[ "$cmd" = help ] && got=
		t "'$cmd' options are those of its usage${opts:+ ($opts)}" "$opts" "$got"
	done
else
	n=$((n + 1))
	echo "ok $n - # SKIP $cli not built"
fi

echo "1..$n"
echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
