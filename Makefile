# CosmOS top-level build: the UEFI loader, the kernel, the ESP image, and the
# entry points people use (run, test, bench, debug). Outputs go under build/.

# LOCKDEP=1: the debug build with the lock-order checker (kernel/sync/lockdep.h),
# kept apart in build-lockdep/ so switching does not rebuild the other.
LOCKDEP ?= 0
BUILD   := $(if $(filter 1,$(LOCKDEP)),build-lockdep,build)
V       ?= 0
Q       := $(if $(filter 1,$(V)),,@)
say      = $(if $(filter 1,$(V)),,@printf '  %-7s %s\n' $(1) $(2))

PYTHON  ?= python3
CC      := gcc
LD      := ld
OBJCOPY := objcopy
NM      := nm

.PHONY: all run test bench bench-linux debug clean deps
all: $(BUILD)/esp.img

include boot/build.mk
include kernel/build.mk
include test/build.mk
include test/fuzz.mk
include user/build.mk
include fs/cosmfs/cosmfs.mk

# The ESP: /EFI/BOOT/BOOTX64.EFI (the removable-media path, so OVMF boots it
# with no prompt), /cosmos/kernel.elf, /cosmos/cmdline.txt and, when there is
# one, /cosmos/initrd.cpio: INITRD=path, by default $(BUILD)/initrd.cpio if it
# exists (INITRD= leaves it out). The command line defaults to root=vda:
# make run's disk (build/disk.img) is /.
CMDLINE ?= root=vda
INITRD  ?= $(wildcard $(BUILD)/initrd.cpio)
$(BUILD)/esp.img: $(LOADER_EFI) $(KERNEL_ELF) scripts/mkesp.sh $(INITRD) FORCE
	$(call say,ESP,$@)
	$(Q)scripts/mkesp.sh $@ $(LOADER_EFI) $(KERNEL_ELF) "$(CMDLINE)" \
		$(if $(INITRD),"$(INITRD)=/cosmos/initrd.cpio")

deps:
	$(Q)scripts/deps.sh

# make run: build/disk.img on virtio (vda), mounted as / read-write (what is
# written there survives the next run; CMDLINE= boots from the initramfs).
run: deps all
	$(Q)scripts/qemu.sh $(BUILD)/esp.img -drive if=none,id=disk,format=raw,file=$(DISK_IMG) \
		-device virtio-blk-pci,drive=disk

# GDB knows the kernel at its link address: no KASLR under the debugger.
debug: CMDLINE += kaslr=off
debug: deps all
	$(Q)scripts/deps.sh --with-gdb
	@echo "debug: QEMU waits for GDB on :1234; in another terminal run: gdb -x scripts/gdbinit"
	$(Q)scripts/qemu.sh $(BUILD)/esp.img -s -S

clean:
	rm -rf $(BUILD)

FORCE:
