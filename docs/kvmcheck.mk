# make kvmcheck: kvm-rules over a Linux tree, its findings printed as gcc prints diagnostics
# (file:line:col: error: ...), so that make, vim's quickfix (:make) and Emacs' compile mode
# jump to them. See docs/kernel-workflow.md.
#
# Either copy this file to the root of the tree as GNUmakefile (make reads it before Makefile;
# list it in .git/info/exclude), and `make kvmcheck` runs kvm-rules while every other target
# is the kernel's own; or run it from the tree's root without copying anything:
#
#   make -f path/to/kvmcheck.mk kvmcheck
#
# Variables:
#   KVM_RULES       the command (default: npx --yes kvm-rules)
#   KVMCHECK_FLAGS  more options for check, e.g. --changed-since origin/master, --arch x86-vmx
#
# Exit status: 0 clean; make's own 2 when kvm-rules found errors (it exits 1) or was given bad
# input (it exits 2): `make -k kvmcheck all` goes on to build.

ifeq ($(MAKECMDGOALS),kvmcheck)

KVM_RULES ?= npx --yes kvm-rules
KVMCHECK_FLAGS ?=

.PHONY: kvmcheck
kvmcheck:
	$(KVM_RULES) check --kernel . --format gcc $(KVMCHECK_FLAGS)

else

# Any other goal, or none: the kernel's Makefile, as if this file were not here.
include Makefile

endif
