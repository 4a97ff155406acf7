# The host's debugfs view of a guest's XIVE device, in the format of the
# device under test (FLAVOUR, never guessed from the file):
#   ours:     "kvm-xive-native: ..." header, a "stats: ..." counter line,
#             "  irq hw src pq type server prio eisn" per source,
#             "  server N vp ..." per vCPU
#   upstream: "irq hw/chip [MSI] IPI|PT PQ eisn cpu/prio" per source,
#             "VCPU N: VP=..." per vCPU
# The XICS-on-XIVE device (ic-mode=xics) is named "xive" too but shows "Hcalls".
DBG=/sys/kernel/debug/kvm
vmdir() { ls -d $DBG/"$(pid $1)"-* 2>/dev/null | head -1; }
xfile() { local d; d=$(vmdir $1); [ -n "$d" ] && [ -e "$d/xive" ] && echo "$d/xive"; }
inode() { local f; f=$(xfile $1) && ls -i "$f" | awk '{print $1}'; }
# counter NAME COUNTER: a number of our "stats:" line (empty when missing)
counter() { local f; f=$(xfile $1) && sed -n "s/^stats:.* $2 \([0-9]*\).*/\1/p" "$f"; }
# native NAME: the guest's device is a native XIVE device of the flavour
native() {
	local f
	f=$(xfile $1) || { why="no $DBG/$(pid $1)-*/xive"; return 1; }
	if ours; then grep -q '^kvm-xive-native:' "$f"; else grep -q '^VCPU [0-9]*: VP=' "$f"; fi &&
		! grep -q 'Hcalls totals' "$f" || { why="$f is not a native XIVE device's ($FLAVOUR)"; return 1; }
}
srclines() { grep -E '^ *[0-9a-f]{8}  [0-9a-f]{8}[/ ]' "$1"; }
nsources() { local f; f=$(xfile $1) && srclines "$f" | wc -l; }
# sources the guest routed: not masked and an EISN set
nrouted() {
	local f
	f=$(xfile $1) || return
	if ours; then
		srclines "$f" | awk '$0 !~ / masked / && $NF != "00000000"' | wc -l
	else	# LISN HW/CHIP TYPE [PT|IPI] PQ EISN CPU/PRIO
		srclines "$f" | awk '$(NF-1) != "00000000" && $NF !~ /\/255$/' | wc -l
	fi
}
# srcmap NAME: "irq hw IPI|PHB eisn" per source (irq decimal, hw and eisn hex)
srcmap() {
	local f
	f=$(xfile $1) || return 1
	if ours; then
		awk '$1 ~ /^[0-9a-f]+$/ && length($1) == 8 && ($3 == "IPI" || $3 == "PHB") { print $1, $2, $3, $NF }' "$f"
	else
		awk '$1 ~ /^[0-9a-f]+$/ && length($1) == 8 && $2 ~ /\// { split($2, h, "/")
			print $1, h[1], ($0 ~ / PT /) ? "PHB" : "IPI", $(NF-1) }' "$f"
	fi | while read -r i h k e; do echo "$((0x$i)) $h $k $e"; done
}
hasvcpu() {	# name server
	local f
	f=$(xfile $1) && grep -qE "^VCPU $2: |^  server $2 vp " "$f"
}
summary() {
	local f
	f=$(xfile $1) || return
	note "$f: $(nsources $1) sources, $(nrouted $1) routed by the guest"
	grep -E '^VCPU|^  server|^kvm-xive-native|^stats' "$f" | sed 's/^/#   /'
}
