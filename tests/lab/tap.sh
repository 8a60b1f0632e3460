# SPDX-License-Identifier: GPL-2.0
# TAP for the lab's host scripts (check.sh, kernels.sh, dkms.sh). Sourced,
# not run. Each script prints one numbered stream ending in
# "N passed, N failed"; sub-steps' streams are re-numbered into it.

n=0 pass=0 fail=0
failed=()	# the failed lines, for a script that repeats them at the end

emit() {	# emit ok|not-ok DESCRIPTION
	n=$((n + 1))
	if [ "$1" = ok ]; then
		pass=$((pass + 1))
		echo "ok $n - $2"
	else
		fail=$((fail + 1))
		failed+=("not ok $n - $2")
		echo "not ok $n - $2"
	fi
}

# Re-number a TAP stream from a sub-step under a label; its own plan and
# summary lines become comments. Not "cmd | absorb": the last part of a
# pipeline runs in a subshell, and its counts would be lost.
absorb() {	# absorb LABEL < tap
	local line desc
	while IFS= read -r line; do
		if [[ $line =~ ^(not\ )?ok([[:space:]]+[0-9]+)?([[:space:]]+-)?[[:space:]]*(.*)$ ]]; then
			desc="$1${BASH_REMATCH[4]}"
			if [ -n "${BASH_REMATCH[1]}" ]; then emit not-ok "$desc"; else emit ok "$desc"; fi
		elif [[ $line == "#"* ]]; then
			echo "$line"
		else
			echo "# $line"
		fi
	done
}

tap_summary() {	# the plan and the count; the exit status
	echo "1..$n"
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
}
