#!/bin/bash
# make patches TREE=<7.3|6.12>: the device as a git format-patch series
# against Debian's linux-source-<TREE> (testbed/ktree.sh imports it as a
# git tree under build/ktree/), written to build/patches/<TREE>/.  Every
# patch is made from this repository's files: our fixes to the tree's KVM
# code (intree/series/, as the out-of-tree build applies them), the
# device's files as the tree needs them (their XN-COMPAT section resolved
# for that tree), the option (intree/kvm-xive-native.patch), the ABI
# document and the selftests.  Messages: the series patches' own, else
# intree/msg/.  From: and Signed-off-by: name SUBMITTER, a placeholder
# unless given.
set -euo pipefail
. "$(dirname "$0")/../testbed/lib.sh"

: "${TREE:=7.3}"
: "${SUBMITTER:=REPLACE-WITH-YOUR-NAME <replace-with-your-email@example.invalid>}"
OUT=$TOP/build/patches/$TREE
MSG=$TOP/intree/msg
say() { echo "patches: $*"; }
t0=$(date +%s)

{ read -r T; read -r _; } < <("$TOP/testbed/ktree.sh" "$TREE")
base_ver=$(cat "$T/.git/xive-native-base")
major=${TREE%%.*}
G() { git -C "$T" "$@"; }
# Reproducible: every commit gets the date of this repository's HEAD.
GIT_AUTHOR_DATE=$(git -C "$TOP" log -1 --format=%cI)
GIT_COMMITTER_DATE=$GIT_AUTHOR_DATE
export GIT_AUTHOR_DATE GIT_COMMITTER_DATE
export GIT_AUTHOR_NAME=${SUBMITTER% <*} GIT_AUTHOR_EMAIL=${SUBMITTER##*<}
GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL%>}
export GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL

G checkout -q -f -B xive-native base
G clean -q -fdx

# commit MSGFILE PATH...: one patch, its message from MSGFILE (subject
# line, blank line, body), signed off by SUBMITTER
commit() {
	local m=$1
	shift
	G add -A -f -- "$@"
	G commit -q -s -F "$m"
	say "$(G log -1 --format=%s)"
}

# apply PATCH: a patch of intree/series (its 7.x replacement for a 7.x
# tree) or the option's patch, with patch(1): its context is a 6.1 tree's
apply() {
	patch -d "$T" -p1 --batch --forward --no-backup-if-mismatch --quiet < "$1" ||
		die "$(basename "$1") does not apply to linux-source-$TREE"
}
# series_msg PATCH: its subject and body, without "[PATCH n/m]"
series_msg() {
	awk '/^Subject:/ { sub(/^Subject: *(\[[^]]*\] *)?/, ""); s = $0; insub = 1; next }
	     insub && /^ / { s = s $0; next }
	     insub { insub = 0; print s; print ""; body = 1; next }
	     body && /^---$/ { exit }
	     body { print }' "$1"
}
series_patch() {
	local p=$TOP/intree/series/$1 m
	[ ! -e "$TOP/intree/series/$major.x/$1" ] || p=$TOP/intree/series/$major.x/$1
	apply "$p"
	m=$(mktemp)
	series_msg "$p" > "$m"
	commit "$m" $(sed -n 's|^+++ b/||p' "$p")
	rm -f "$m"
}
sp() { series_patch "$(basename "$(ls "$TOP"/intree/series/"$1"-*.patch)")"; }

# intree_file SRC: SRC as the tree needs it, on stdout.  The XN-COMPAT
# section's version tests are decided for the tree (its own Makefile's
# version), #ifndef tests of a macro by whether the tree defines it; its
# comment and <linux/version.h> go; the private filesystem's magic comes
# from <linux/magic.h> (the magic patch).
tree_ver=$(awk '/^VERSION =/{v=$3} /^PATCHLEVEL =/{p=$3} /^SUBLEVEL =/{s=$3}
	END {print v * 65536 + p * 256 + s}' "$T/Makefile")
intree_file() {
	local defined=
	grep -rqs '^#define kzalloc_obj' "$T/include/linux/" && defined="kzalloc_obj kvzalloc_obj"
	awk -v ver="$tree_ver" -v defined=" $defined " '
	function keep(i) { for (i = 1; i <= depth; i++) if (!live[i]) return 0; return 1 }
	function flush() { if (pend != "" && keep()) printf "%s", pend; pend = "" }
	# a comment right before a conditional never compiled goes with it
	function cond(l) { if (!l) pend = ""; flush(); live[++depth] = l }
	incomment { pend = pend $0 "\n"; if ($0 ~ /\*\//) { incomment = 0
		if (pend ~ /XN-COMPAT:/) pend = "" }; next }
	/^\/\* XN-COMPAT end \*\/$/ { next }
	/^\/\*/ && !/\*\// { flush(); pend = $0 "\n"; incomment = 1; next }
	/^\/\*.*\*\/$/ { flush(); pend = $0 "\n"; next }
	/^#if KERNEL_VERSION\([0-9]+, [0-9]+, [0-9]+\) > LINUX_VERSION_CODE$/ {
		match($0, /\(.*\)/); split(substr($0, RSTART + 1, RLENGTH - 2), v, ", ")
		cond(v[1] * 65536 + v[2] * 256 + v[3] > ver); next }
	/^#ifndef (kzalloc_obj|kvzalloc_obj)$/ { cond(index(defined, " " $2 " ") == 0); next }
	depth && /^#else/ { flush(); live[depth] = !live[depth]; next }
	depth && /^#endif/ { flush(); depth--; next }
	/^#include <linux\/version.h>$/ { next }
	/^#define XIVE_NATIVE_FS_MAGIC/ { next }
	{ flush(); if (keep()) print }
	/^#include <linux\/kvm_host.h>$/ && FILENAME ~ /\.c$/ && keep() {
		print "#include <linux/magic.h>" }
	END { flush() }
	' "$1" | cat -s
}

# 1-4: our fixes to the tree's own code and the remap hooks
for n in 0001 0002 0003 0004; do sp $n; done

# 5: the private inode's filesystem magic
perl -0pi -e 's/(#define SECRETMEM_MAGIC[^\n]*\n)/$1#define XIVE_NATIVE_FS_MAGIC\t0x58495645\t\/* "XIVE" *\/\n/' \
	"$T/include/uapi/linux/magic.h"
grep -q XIVE_NATIVE_FS_MAGIC "$T/include/uapi/linux/magic.h" ||
	die "no SECRETMEM_MAGIC line in $TREE's magic.h to put ours after"
commit "$MSG/magic.txt" include/uapi/linux/magic.h

# 6: the device
K=$T/arch/powerpc/kvm
for f in book3s_xive_native.c book3s_xive_native.h trace_xive_native.h; do
	intree_file "$TOP/$f" > "$K/$f"
done
! grep -n 'LINUX_VERSION_CODE\|XN-COMPAT\|define XIVE_NATIVE_FS_MAGIC' "$K"/*xive_native* ||
	die "the in-tree device files still have compat code or the magic"
commit "$MSG/device.txt" arch/powerpc/kvm

# 7: the old device's fields in struct kvmppc_xive
sp 0005

# 8: the option, the Makefile line and the stubs
apply "$TOP/intree/kvm-xive-native.patch"
commit "$MSG/kconfig.txt" arch/powerpc/include/asm/kvm_ppc.h \
	arch/powerpc/kvm/Kconfig arch/powerpc/kvm/Makefile

# 9: the ABI document
cp "$TOP/Documentation/xive-native.rst" "$T/Documentation/virt/kvm/devices/xive.rst"
commit "$MSG/doc.txt" Documentation/virt/kvm/devices/xive.rst

# 10: the selftests, a kselftest directory of the powerpc ones
S=tools/testing/selftests/powerpc/kvm_xive
mkdir -p "$T/$S"
cp "$TOP"/selftests/*.[ch] "$TOP/uapi/kvm_xive_native.h" "$T/$S/"
progs=$(make -s -C "$TOP/selftests" print-progs | tr '\n' ' ')
extra=$(sed -n 's/^TEST_GEN_PROGS_EXTENDED := //p' "$TOP/selftests/Makefile")
{
	echo "# SPDX-License-Identifier: GPL-2.0"
	echo "TEST_GEN_PROGS := ${progs% }"
	echo "TEST_GEN_PROGS_EXTENDED := $extra"
	echo
	echo "LOCAL_HDRS += xive_util.h xive_guest.h kvm_xive_native.h"
	echo
	echo "top_srcdir = ../../../../.."
	echo "include ../../lib.mk"
	echo "include ../flags.mk"
	echo
	echo "CFLAGS += -I../.. -D_GNU_SOURCE -D__SANE_USERSPACE_TYPES__ -pthread \\"
	echo "	-Wno-misleading-indentation"
	echo "LDLIBS += -pthread"
} > "$T/$S/Makefile"
printf '%s\n' $progs $extra | sort > "$T/$S/.gitignore"
sed -i 's/^SUB_DIRS = alignment\t\t\\$/&\n\t   kvm_xive\t\t\\/' \
	"$T/tools/testing/selftests/powerpc/Makefile"
grep -q kvm_xive "$T/tools/testing/selftests/powerpc/Makefile" ||
	die "cannot add kvm_xive to the powerpc selftests' SUB_DIRS"
perl -0pi -e 's|(KERNEL VIRTUAL MACHINE FOR POWERPC \(KVM/powerpc\)\n(?:[^\n]+\n)*?F:\tarch/powerpc/kvm/\n)|$1F:\t'"$S"'/\n|' \
	"$T/MAINTAINERS"
grep -q "^F:	$S/" "$T/MAINTAINERS" || die "cannot list $S in MAINTAINERS"
commit "$MSG/selftests.txt" "$S" tools/testing/selftests/powerpc/Makefile MAINTAINERS

# The series and its cover letter: the blurb of intree/msg/cover.txt with
# the README's comparison section, its tables as they are.
rm -rf "$OUT"
G format-patch -q -B -M --cover-letter --subject-prefix=PATCH \
	-o "$OUT" base..xive-native
cover=$(ls "$OUT"/0000-*.patch)
blurb=$(mktemp)
{
	sed -e "s|@TREE@|$TREE|g" -e "s|@BASE@|$base_ver|g" \
		-e "s|@UPSTREAM@|${base_ver%%-*}|g" "$MSG/cover.txt"
	awk '/^Comparison with the upstream device$/ { on = 1 }
	     on && /^Benchmarks$/ { exit }
	     on { print }' "$TOP/README" | tail -n +4 | sed '$ { /^$/d }'
} > "$blurb"
subject=$(head -1 "$blurb")
tail -n +3 "$blurb" > "$blurb.body"
B="$blurb.body" S="$subject" perl -0pi -e 'BEGIN { local $/; open(F, "<", $ENV{B}); $b = <F>; close F }
	s/\*\*\* SUBJECT HERE \*\*\*/$ENV{S}/; s/\*\*\* BLURB HERE \*\*\*\n/$b/' "$cover"
rm -f "$blurb" "$blurb.body"
say "$(ls "$OUT" | wc -l) files in $OUT (cover letter and $(( $(ls "$OUT" | wc -l) - 1 )) patches)" \
	"against linux-source-$TREE $base_ver, $(( $(date +%s) - t0 )) s"
