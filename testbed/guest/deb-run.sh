#!/bin/sh
# make check-deb's payload (testbed/deb-check.sh), in the emulated host:
# the package of make deb installed with Debian's dpkg, its modules
# loaded by name with Debian's modprobe, the selftests run on them, the
# package removed and purged, the distro's modules loaded again.  /init
# loaded the distro's modules (REF=1) and checked the capability first.
# One TAP 13 stream, the plan last; the selftests are subtests.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
# Debian's dpkg, kmod, dash and their libraries; the distro's kvm modules
# in their tree, and the dpkg database that says linux-image-$K and the
# tools are installed.  Then on under dash, Debian's /bin/sh now: busybox's
# shell runs its own applets (modprobe, depmod) before PATH's.
if [ -z "${DASH:-}" ]; then
	busybox tar -xf tools.tar -C /
	busybox tar -xf distro.tar -C /
	DASH=1 exec /bin/dash "$0"
fi
K=$(cat kver)
M=$(cat moddir)
PKG=xive-native-modules-$K
DEB=$(ls /payload/"$PKG"_*_ppc64el.deb)

echo "TAP version 13"
n=0
fail=0
# check DESCRIPTION CMD...: one TAP line; the output of a failed CMD as
# diagnostics
check() {
	d=$1
	shift
	n=$((n + 1))
	if "$@" > /tmp/out 2>&1; then
		last="ok $n - $d"
	else
		last="not ok $n - $d # FAIL"
		fail=1
	fi
	echo "$last"
	[ "${last#not}" = "$last" ] || sed 's/^/# /' /tmp/out
}
# loads DIR TAINT: modprobe kvm-hv takes kvm.ko and kvm-hv.ko from
# $M/DIR, and kvm's taint is TAINT (ours: out of tree and unsigned)
loads() {
	r=0
	modprobe -v kvm-hv > /tmp/mp 2>&1 || r=$?
	echo "$(command -v modprobe) -v kvm-hv: status $r, kvm taint '$(cat /sys/module/kvm/taint 2>&1)'"
	cat /tmp/mp
	[ $r = 0 ] &&
	grep -qx "insmod $M/$1/kvm.ko *" /tmp/mp &&
		grep -qx "insmod $M/$1/kvm-hv.ko *" /tmp/mp &&
		[ "$(cat /sys/module/kvm/taint)" = "$2" ] && [ -c /dev/kvm ] && xive_cap
}
unload() { modprobe -r kvm-hv kvm && [ ! -d /sys/module/kvm ]; }
status() { [ "$(dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null)" = "$1" ]; }
# dpkg ARGS: dpkg, and no warning from it
dpkg_clean() { dpkg "$@" > /tmp/dpkg 2>&1; r=$?; cat /tmp/dpkg; [ $r = 0 ] && ! grep -i 'warning\|error' /tmp/dpkg; }

check "the distro's modules (loaded by /init) unload" rmmod kvm-hv kvm
check "depmod of the distro's tree" depmod -a "$K"
check "modprobe kvm-hv loads the distro's kvm.ko, kvm-hv.ko from kernel/" \
	loads kernel/arch/powerpc/kvm ""
check "they unload" unload
check "dpkg -i ${DEB##*/}" dpkg_clean -i "$DEB"
check "$PKG is installed" status "install ok installed"
check "its modules are in $M/updates" \
	test -f "$M/updates/kvm.ko" -a -f "$M/updates/kvm-hv.ko"
check "postinst ran depmod: modules.dep names updates/kvm-hv.ko" \
	grep -qx 'updates/kvm-hv.ko: updates/kvm.ko' "$M/modules.dep"
check "modprobe kvm-hv loads ours from updates/ (taint OE)" loads updates OE
ours=$last

for p in $(cat selftests/progs); do
	n=$((n + 1))
	if [ "${ours#not ok}" != "$ours" ]; then
		echo "not ok $n - selftests on the package's modules: $p # FAIL: not run, ours did not load"
		fail=1
		continue
	fi
	echo "# Subtest: $p"
	{ XIVE_FLAVOUR=ours "./selftests/$p" 2>&1; echo $? > /tmp/rc; } | sed 's/^/    /'
	rc=$(cat /tmp/rc)
	if [ "$rc" = 0 ] || [ "$rc" = 4 ]; then
		echo "ok $n - selftests on the package's modules: $p"
	else
		echo "not ok $n - selftests on the package's modules: $p # FAIL: exit status $rc"
		fail=1
	fi
done

check "ours unload" unload
check "dpkg -r $PKG" dpkg_clean -r "$PKG"
check "$PKG is removed, its postrm kept for purge" status "deinstall ok config-files"
check "its modules are gone" test ! -e "$M/updates/kvm.ko" -a ! -e "$M/updates/kvm-hv.ko"
check "postrm ran depmod: modules.dep names no updates/ module" sh -c "! grep -q '^updates/' $M/modules.dep"
check "modprobe kvm-hv loads the distro's again" loads kernel/arch/powerpc/kvm ""
check "dpkg -P $PKG" dpkg_clean -P "$PKG"
check "$PKG is not installed, $M/updates is gone, $M is still there" \
	sh -c "! dpkg-query -W -f='\${Status}' $PKG 2>/dev/null | grep -q . && test ! -e $M/updates -a -d $M/kernel"
check "linux-image-$K is still installed" \
	sh -c "dpkg-query -W -f='\${Status}' linux-image-$K | grep -qx 'install ok installed'"
echo "1..$n"
exit $fail
