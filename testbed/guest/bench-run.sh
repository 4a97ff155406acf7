#!/bin/sh
# make bench's payload (testbed/bench.sh), run by the emulated POWER9
# host's /init: bench/xive_bench against both module sets in mods/ours and
# mods/upstream (rmmod/insmod between runs), the nested guests' IPI round
# trips (ipi-run.sh), then untimed passes counting OPAL calls per phase and
# profiling with function_graph.  SETS (default "ours upstream") names the
# module sets: "ours" alone on a 4K host, where upstream's mmap refuses
# QEMU's offsets (make bench-pages).  Prints one TAP stream: a result per
# step, each program run a subtest (xive_bench's own stream, its
# measurements as "# B|C|M|S" diagnostics, see bench/xive_bench.c), and
# diagnostics of its own for bench/report.py:
#	# CONFIG rounds R reps N cycles C profile_depth D
#	# RUN <round> <flavour> [ic-mode]	the samples of the next step
#	# TIMED <uptime0> <uptime1>		the timed rounds' window
#	# O <flavour> <phase> <opcode> <n>	OPAL calls in a traced phase
#	# P <flavour> <scenario> <function> <calls> <us>   function_graph
# A failed step is a "not ok" and the rest still runs, except for a module
# set that does not load: the plan closes the stream there.  Exits 1 if a
# step failed.  Knobs: the environment, from bench.sh's /payload/run.
T=/sys/kernel/tracing
tracefs() { [ -e $T/trace ] || mount -t tracefs nodev $T 2>/dev/null; }

# One TAP stream: a result per step, the plan last (also after a fatal step).
echo "TAP version 13"
n=0 fail=0
res() {	# status description [why it failed]
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"
	else echo "not ok $n - $2 # FAIL: ${3:-exit status $1}"; fail=1; fi
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP host: $2"; }	# description why
end() { echo "1..$n"; exit $fail; }
# A module set that does not load leaves nothing to measure.
load() {
	rmmod kvm-hv 2>/dev/null; rmmod kvm 2>/dev/null
	if grep -q '^kvm' /proc/modules; then
		res 1 "load the $1 modules" "cannot unload kvm"; end
	fi
	insmod mods/$1/kvm.ko && insmod mods/$1/kvm-hv.ko ||
		{ res 1 "load the $1 modules" "insmod failed"; end; }
}
# step FLAVOUR DESCRIPTION COMMAND...: COMMAND's TAP stream as a subtest
# (indented), then its result from COMMAND's status.  The output waits in
# a file: nothing writes to the console (OPAL calls, another task to run)
# while COMMAND measures.
SETS=${SETS:-ours upstream}
# The sets in round R's order: both alternate which goes first.
order() {
	if [ "$SETS" != "ours upstream" ]; then echo "$SETS"
	elif [ $(($1 % 2)) = 1 ]; then echo ours upstream
	else echo upstream ours; fi
}
step() {
	f=$1 d=$2
	shift 2
	XIVE_FLAVOUR=$f "$@" > /tmp/step 2>&1
	s=$?
	echo "# Subtest: $d"
	sed 's/^/    /' /tmp/step
	res $s "$d"
}
# events the trace buffer dropped: a short count fails its step
lost() { sed -n 's/^overrun: //p' $T/per_cpu/cpu0/stats | grep . || echo unknown; }

echo "# CONFIG rounds $ROUNDS reps $REPS cycles $CYCLES profile_depth $PROFILE_DEPTH"
# Untimed warm-up of each set: the first run after boot pays one-time
# costs (firmware and kernel tables) that would go to whoever runs first.
for f in $SETS; do
	load $f
	step $f "xive_bench warm-up, $f modules" ./xive_bench -r 1 -c 1
done
# "# RUN <round> <flavour> [ic-mode]": the samples up to the next result
# at column 0 belong to that set (bench/report.py).
t0=$(cut -d' ' -f1 /proc/uptime)
r=1
while [ $r -le $ROUNDS ]; do
	for f in $(order $r); do
		load $f
		echo "# RUN $r $f"
		step $f "xive_bench round $r/$ROUNDS, $f modules" ./xive_bench -r $REPS -c $CYCLES
	done
	r=$((r + 1))
done
t1=$(cut -d' ' -f1 /proc/uptime)
echo "# TIMED $t0 $t1"

# IPI round trips in a nested guest (ipi-run.sh), per module set with the
# XIVE device (ic-mode=xive) and with XICS-on-XIVE (ic-mode=xics): one guest
# per module set, mode and round, the order alternating.  Samples: round
# trips/s, the guest's IPIs and the host's escalation interrupts per round
# trip.  (A nested guest boot costs ~45 s of real time under -icount.)
if [ "$IPI" = 1 ]; then
	k=0 r=1
	while [ $r -le $IPI_ROUNDS ]; do
		for ic in xive xics; do
			k=$((k + 1))
			for f in $(order $k); do
				load $f
				echo "# RUN ipi$r $f $ic"
				step $f "nested guest IPI round trips $r/$IPI_ROUNDS, $f modules, ic-mode=$ic" \
					sh ./ipi-run.sh $f $ic $IPI_REPS $IPI_LOOPS
			done
		done
		r=$((r + 1))
	done
fi

# Untimed: OPAL calls (by opcode) per phase, "# O <flavour> <phase>
# <opcode> <n>", from the powerpc:opal_entry tracepoint between the
# program's trace_marker lines (@@T: they stay in the trace buffer).
if [ "$TRACE" = 1 ] && { ! tracefs || [ ! -e $T/events/powerpc/opal_entry ]; }; then
	skip "OPAL calls per phase" "no powerpc:opal_entry tracepoint"
elif [ "$TRACE" = 1 ]; then
	for f in $SETS; do
		load $f
		echo 0 > $T/tracing_on
		echo 32768 > $T/buffer_size_kb
		echo > $T/trace
		echo 1 > $T/events/powerpc/opal_entry/enable
		echo 1 > $T/tracing_on
		step $f "xive_bench traced, $f modules" \
			env XIVE_BENCH_MARKERS=1 ./xive_bench -r 1 -c 1 -X
		echo 0 > $T/tracing_on
		echo 0 > $T/events/powerpc/opal_entry/enable
		awk -v f=$f '
			/tracing_mark_write: @@T / {
				for (i = 1; i <= NF; i++) if ($i == "@@T") break
				ph = ($(i + 2) == "begin") ? $(i + 1) : ""
				next
			}
			ph != "" && /opal_entry:/ {
				for (i = 1; i <= NF; i++)
					if ($i ~ /^opcode=/) op = substr($i, 8)
				n[ph " " op]++
			}
			END { for (k in n) print "# O " f " " k " " n[k] }' $T/trace
		l=$(lost)
		res "$l" "OPAL calls per phase counted, $f modules" "$l events lost"
	done
fi

# PROFILE=1: function_graph of the device's ioctls and release, per
# function (calls, inclusive time), for a few scenarios of each set:
# "# P <flavour> <scenario> <function> <calls> <us>".
if [ "$PROFILE" = 1 ] && ! tracefs; then
	skip "function_graph profiles" "no tracefs"
elif [ "$PROFILE" = 1 ]; then
	for f in $SETS; do
		load $f
		for scen in $PROFILE_SCEN; do
			echo 0 > $T/tracing_on
			echo nop > $T/current_tracer
			echo 65536 > $T/buffer_size_kb
			echo "$PROFILE_FUNCS" > $T/set_graph_function
			echo $PROFILE_DEPTH > $T/max_graph_depth
			echo function_graph > $T/current_tracer
			echo funcgraph-tail > $T/trace_options
			echo 1 > $T/tracing_on
			# The first traced run pays for the code patching (TCG
			# retranslates): only the second one is kept.
			for i in 1 2; do
				echo > $T/trace
				step $f "xive_bench -p $scen profiled ($i/2), $f modules" \
					./xive_bench -r 1 -c 10 -X -p $scen
			done
			echo 0 > $T/tracing_on
			awk -v f=$f -v s=$scen '
				/\|/ {
					split($0, a, "|")
					d = 0
					if (match(a[1], /[0-9]+\.[0-9]+ us/))
						d = substr(a[1], RSTART, RLENGTH - 3) + 0
					t = a[2]
					if (t ~ /\/\* /) {
						sub(/.*\/\* /, "", t); sub(/ \*\/.*/, "", t)
					} else if (t ~ /\(\);/) {
						sub(/^ +/, "", t); sub(/\(\);.*/, "", t)
					} else next
					gsub(/ \[[a-z_]+\]/, "", t)
					n[t]++; us[t] += d
				}
				END { for (k in n) printf "# P %s %s %s %d %.0f\n", f, s, k, n[k], us[k] }' \
				$T/trace
			l=$(lost)
			res "$l" "function_graph profile of $scen counted, $f modules" "$l events lost"
		done
	done
	echo nop > $T/current_tracer
fi
end
