# SPDX-License-Identifier: GPL-2.0
#
# xive-native: the KVM XIVE native device (KVM_DEV_TYPE_XIVE), built out of
# tree as a replacement kvm.ko + kvm-hv.ko for a distro kernel, and tested in
# an emulated POWER9 host.  See README.

# This tree (make -f from another directory builds that directory's copy of
# our sources, e.g. testbed/check-mutants.sh, with this tree's patches)
TOP	:= $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
CACHE	?= $(CURDIR)/.cache
# Did the user choose a kernel or parts?  (make check runs CI's matrix if not)
SELECTED := $(filter command% environment%,$(origin PARTS) $(origin KVER) \
		$(origin REF) $(origin MACHINE))
# make check-debug's kernel, unless KVER is given
DEBUG_KVER := $(if $(filter command% environment%,$(origin KVER)),$(KVER),6.12.117+deb12-powerpc64le-64k)
KVER	?= 6.1.0-50-powerpc64le
# A KVER the mirror no longer serves: 'make deps' chose another (one line)
override KVER := $(or $(shell awk '$$1 == "$(KVER)" {print $$2}' \
	$(CACHE)/kver-fallback 2>/dev/null),$(KVER))
# The kernel's series (6.1, 6.12, ...) names its linux-source package.
SERIES	:= $(shell echo '$(KVER)' | cut -d. -f1-2)
# What 'make deps' recorded of KVER: its suite, its source tree's name, its
# compiler (testbed/deps.sh)
-include $(CACHE)/kernels/$(KVER)
KDIR	?= $(CACHE)/sysroot/usr/src/linux-headers-$(KVER)
KSRC	?= $(CACHE)/$(or $(KSRC_NAME),linux-source-$(SERIES))
BUILD	?= $(CURDIR)/build/$(KVER)
STAGE	:= $(BUILD)/arch/powerpc/kvm

ifneq ($(shell uname -m),ppc64le)
CROSS_COMPILE ?= powerpc64le-linux-gnu-
endif
# kbuild runs in a build root of the kernel's own Debian release when that
# is not this host's (trixie, sid: testbed/buildroot.sh), else here.
BROOT	:= $(TOP)/testbed/buildroot.sh
KMAKE	:= $(BROOT) $(MAKE) -C $(KDIR) M=$(STAGE) ARCH=powerpc CROSS_COMPILE=$(CROSS_COMPILE)
# The compiler the kernel's headers name (Debian: CC = $(CROSS_COMPILE)gcc-NN)
KCC	= $(CROSS_COMPILE)$(or $(shell sed -n 's/^CC = .*$$(CROSS_COMPILE)//p' \
	$(KDIR)/.kernelvariables 2>/dev/null),gcc)

# Our files, linked into the staged copy of arch/powerpc/kvm
OURS	:= book3s_xive_native.c book3s_xive_native.h trace_xive_native.h Kbuild

# Test knobs: REF=1 runs on the distro's own kvm.ko/kvm-hv.ko
REF	?=
export CACHE KVER REF SMP MEM MACHINE

.PHONY: all modules deps stage modules_install clean selftests check \
	vm-run run intree-check host-checks check-guest bench \
	check-passthrough check-matrix fuzz soak patches deb check-deb check-debug \
	bench-pages check-pins

all: modules

deps:
	@CACHE=$(CACHE) testbed/deps.sh

$(KDIR)/Makefile $(KSRC)/.unpacked:
	@echo "missing $@: run 'make deps' first (or set KDIR=/KSRC=)"; false

# Our fixes to the tree's own KVM code (intree/series/, the in-tree series
# too): applied to the staged copy; a changed patch re-stages.  One series
# serves every kernel of the matrix.
KPATCHES := $(sort $(wildcard $(TOP)/intree/series/*.patch))

# Copy the tree's KVM sources once; link ours so that edits rebuild at once.
stage: $(KDIR)/Makefile
	@set -e; \
	for p in $(KPATCHES); do \
		[ $$p -nt $(STAGE)/.staged ] && rm -f $(STAGE)/.staged; \
	done; \
	if [ ! -e $(STAGE)/.staged ]; then \
		echo "  STAGE   $(STAGE)"; \
		mkdir -p $(STAGE) $(BUILD)/virt/kvm $(BUILD)/arch/powerpc/mm; \
		cp -p --remove-destination $(KSRC)/arch/powerpc/kvm/*.[chS] $(STAGE)/; \
		rm -f $(STAGE)/book3s_xive_native.c; \
		cp -p $(KSRC)/virt/kvm/*.[ch] $(KSRC)/virt/kvm/Makefile.kvm \
			$(BUILD)/virt/kvm/; \
		cp -p $(KSRC)/arch/powerpc/mm/mmu_decl.h $(BUILD)/arch/powerpc/mm/; \
		for p in $(KPATCHES); do \
			echo "  PATCH   $$(basename $$p)"; \
			patch -s -p1 -d $(BUILD) --no-backup-if-mismatch < $$p; \
		done; \
		touch $(STAGE)/.staged; \
	fi; \
	[ -e $(STAGE)/Makefile.tree ] || \
		sed 's|$$(srctree)/virt/kvm/Makefile.kvm|$$(src)/$$(KVM)/Makefile.kvm|' \
			$(KSRC)/arch/powerpc/kvm/Makefile > $(STAGE)/Makefile.tree; \
	for f in $(OURS); do ln -sf $(CURDIR)/$$f $(STAGE)/$$f; done

# The distro's own modules of KVER, to check ours against (vermagic, CRCs)
DISTRO_KVM ?= $(firstword $(wildcard \
	$(CACHE)/sysroot/lib/modules/$(KVER)/kernel/arch/powerpc/kvm \
	/lib/modules/$(KVER)/kernel/arch/powerpc/kvm))

modules: stage
	@start=$$(date +%s); \
	$(KMAKE) modules && \
	echo "built kvm.ko kvm-hv.ko for $(KVER) with $$($(BROOT) $(KCC) --version | head -1) in $$($(BROOT) --where), $$(( $$(date +%s) - start )) s" && \
	echo "  (the kernel was built with $$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"/\1/p' $(KDIR)/.config))"
	@KDIR=$(KDIR) STAGE=$(STAGE) DISTRO=$(DISTRO_KVM) $(TOP)/testbed/modcheck.sh

modules_install: modules
	$(KMAKE) INSTALL_MOD_DIR=updates modules_install

selftests:
	$(MAKE) -C selftests KSRC=$(KSRC) CROSS_COMPILE=$(CROSS_COMPILE)

# The checks build on a stage of their own: their W=1 and sparse passes
# must neither race with nor leave objects in the modules' build.
CHECKS	:= $(CURDIR)/build/checks/$(KVER)
host-checks: $(KDIR)/Makefile
	@$(MAKE) --no-print-directory stage BUILD=$(CHECKS)
	@KDIR=$(KDIR) KSRC=$(KSRC) STAGE=$(CHECKS)/arch/powerpc/kvm \
		CROSS_COMPILE=$(CROSS_COMPILE) testbed/host-checks.sh

# make check: the rows of testbed/matrix.ci (CI's subset of the matrix);
# with PARTS, KVER, REF or MACHINE given, those parts on that kernel only.
ifeq ($(SELECTED),)
check:
	@MATRIX=$(TOP)/testbed/matrix.ci testbed/check-matrix.sh
else
check: deps
	@$(MAKE) --no-print-directory modules selftests
	@testbed/check-all.sh
endif

# The pins' fallbacks (kernel, emulated host's QEMU) against the mirror, in
# a scratch cache (testbed/pins-check.sh)
check-pins:
	@testbed/pins-check.sh

# Every kernel and machine of testbed/matrix, ours and REF=1 (ROWS=<regex>)
check-matrix:
	@testbed/check-matrix.sh

vm-run: deps
	@$(MAKE) --no-print-directory modules selftests
	@testbed/vm-run.sh "$(RUN)" $(ARGS)

# The nested pseries guest scenario (QEMU as the device's client) alone.
check-guest: deps
	@$(MAKE) --no-print-directory modules selftests
	@testbed/guest-check.sh

run: deps
	@$(MAKE) --no-print-directory modules selftests
	@testbed/run.sh

# PCI passthrough of an NVMe into the nested guest (testbed/pt-check.sh);
# its test-only vfio.ko is built into build/vfio/<KVER> (6.1), never installed.
check-passthrough: deps
	@$(MAKE) --no-print-directory modules selftests
	@testbed/pt-check.sh

# The nested guest's no-loss round (phase count) repeated for MINUTES (10),
# then the emulated host's memory against its level after the first round.
soak: deps
	@$(MAKE) --no-print-directory modules selftests
	@MINUTES="$(MINUTES)" testbed/soak.sh

# selftests/xive_fuzz in the emulated host (testbed/fuzz.sh): SEED, OPS
# (per seed), THREADS; REF=1 on the upstream device, a boot per seed.
fuzz: deps
	@$(MAKE) --no-print-directory modules selftests
	@SEED="$(SEED)" OPS="$(OPS)" THREADS="$(THREADS)" CRASHERS="$(CRASHERS)" \
		testbed/fuzz.sh

# The selftests, the fuzzer and the nested guests on a lockdep/KASAN/KFENCE/
# UBSAN build of KVER's kernel (6.12 by default), built once into
# $(CACHE)/debug-kernel (testbed/check-debug.sh, testbed/debug-kernel.sh).
check-debug:
	@$(MAKE) --no-print-directory deps KVER=$(DEBUG_KVER)
	@KVER=$(DEBUG_KVER) testbed/check-debug.sh

# Ours vs the distro's modules in one boot: bench/results.md and .csv
bench: deps
	@$(MAKE) --no-print-directory modules selftests
	@$(MAKE) --no-print-directory -C bench CROSS_COMPILE=$(CROSS_COMPILE)
	@testbed/bench.sh

# KVER=<a 4K flavour>: our modules there against its -64k twin, one boot
# each: bench/results-pages.md and .csv (testbed/bench-pages.sh)
bench-pages:
	@testbed/bench-pages.sh

# TREE=<7.3|6.12>: the series of make patches, git am'd and built patch
# by patch (testbed/intree-series-check.sh); without TREE, the 6.1 drop-in.
ifeq ($(TREE),)
intree-check: deps
	@KSRC=$(KSRC) CROSS_COMPILE=$(CROSS_COMPILE) testbed/intree-check.sh
else
intree-check: patches
	@TREE=$(TREE) CROSS_COMPILE=$(CROSS_COMPILE) testbed/intree-series-check.sh
endif

# The device as a git format-patch series against linux-source-<TREE>
# (default the newest, 7.3): build/patches/<TREE>/ (intree/patches.sh).
# SUBMITTER="Name <mail>" fills From: and Signed-off-by: in.
patches:
	@PATCHES=1 CACHE=$(CACHE) testbed/deps.sh
	@TREE=$(or $(TREE),7.3) SUBMITTER="$(SUBMITTER)" intree/patches.sh

# The modules as a Debian package for KVER (debian/mkdeb.sh, into
# build/deb/), lintian-checked; check-deb installs, loads, tests and
# removes it in the emulated host (testbed/deb-check.sh).
deb:
	@DEB=1 CACHE=$(CACHE) testbed/deps.sh
	@$(MAKE) --no-print-directory modules
	@CROSS_COMPILE=$(CROSS_COMPILE) debian/mkdeb.sh

check-deb: deb
	@$(MAKE) --no-print-directory selftests
	@testbed/deb-check.sh

clean:
	rm -rf build
	-$(MAKE) -C selftests clean
