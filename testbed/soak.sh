#!/bin/bash
# make soak [MINUTES=10]: the nested scenario's soak phase
# (testbed/guest/nested/phase/soak.sh): phase count's no-loss round
# repeated for MINUTES, then the emulated host's kernel memory, slab and
# vmalloc areas against their level after the first round (SOAK_KB and
# SOAK_OBJS: the bounds per round).  REF=1 on the distro's modules.
set -uo pipefail
: "${MINUTES:=10}" "${SMP:=1}" "${MEM:=4G}"
[[ $MINUTES =~ ^[0-9]+$ ]] && [ "$MINUTES" -gt 0 ] ||
	{ echo "soak: MINUTES='$MINUTES' is not a number of minutes" >&2; exit 2; }
# the emulated host's timeout: the last round starts before the end
SOAK=$((MINUTES * 60)) TIMEOUT=$((MINUTES * 60 + 900)) PHASES=soak
export SOAK TIMEOUT PHASES SMP MEM
exec "$(dirname "$0")/nested-check.sh" nested count-image.sh soak \
	"soak ($MINUTES min)" PHASES TSCALE GMEM SOAK SOAK_KB SOAK_OBJS
