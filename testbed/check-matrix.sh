#!/bin/bash
# make check-matrix: every kernel and machine of testbed/matrix, ours and
# the distro's own modules (REF=1), each row through make check with the
# parts the row names.  Prints one table (row x flavour: the closing line
# of each run) and one closing line for all.  All rows always run.
# A row's VAR=value words before its parts are set for its runs (SMP=2).
# ROWS=<regex> keeps the rows whose kernel or machine matches it;
# MATRIX=<file> reads another table (make check: testbed/matrix.ci).
set -uo pipefail
# Each part picks its own SMP/MEM/TIMEOUT defaults (check.sh: SMP=2 on 4K
# kernels): pass on only the caller's.  lib.sh's defaults would reach the
# rows exported, since make exports these names (even when empty).
caller="SMP=${SMP:-} MEM=${MEM:-} TIMEOUT=${TIMEOUT:-}"
. "$(dirname "$0")/lib.sh"

t0=$(date +%s)
table= total_p=0 total_f=0 total_s=0
run() {	# kver machine ref parts [VAR=value...]
	local out line t
	out=$(mktemp "$WORK/matrix.XXXXXX")
	t=$(date +%s)
	echo "=== $1 $2 ${3:+REF=1 }PARTS=\"$4\"${5:+ $5}"
	# shellcheck disable=SC2086 # the caller's and the row's settings, one word each
	env $caller KVER="$1" MACHINE="$2" REF="$3" PARTS="$4" ${5:-} \
		make -s --no-print-directory -C "$TOP" check 2>&1 | tee "$out"
	line=$(closing_line "$out")
	tally "$line"
	table="$table$(printf '\n  %-34s %-10s %-8s %-44s %-8s %s' "$1" "$2" \
		"$([ -n "$3" ] && echo upstream || echo ours)" "$line" \
		"$(( $(date +%s) - t )) s" "$(echo $4)")"
	rm -f "$out"
}

while read -r kver machine rest; do
	case $kver in ''|'#'*) continue ;; esac
	[ -n "${ROWS:-}" ] && ! grep -qE -e "$ROWS" <<< "$kver $machine" && continue
	# settings the row's runs take (SMP=2), before its parts
	vars=
	while [[ $rest =~ ^[[:space:]]*([A-Z_]+=[^[:space:]]*)(.*)$ ]]; do
		vars="$vars${vars:+ }${BASH_REMATCH[1]}" rest=${BASH_REMATCH[2]}
	done
	ours=${rest%%|*} ref=
	[[ $rest == *'|'* ]] && ref=${rest#*|}
	run "$kver" "$machine" "" "$ours" "$vars"
	[ -z "$ref" ] || run "$kver" "$machine" 1 "$ref" "$vars"
done < "${MATRIX:-$TOP/testbed/matrix}"

echo "=== matrix ($(( $(date +%s) - t0 )) s): kernel, machine, modules, result, time, parts$table"
line="$total_p passed, $total_f failed"
[ "$total_s" = 0 ] || line="$line, $total_s skipped"
echo "$line"
[ "$total_f" = 0 ]
