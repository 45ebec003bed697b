# CosmOS top-level build: the UEFI loader, the kernel, the ESP image, and the
# entry points people use (run, test, bench, debug). Outputs go under build/.

BUILD   := build
V       ?= 0
Q       := $(if $(filter 1,$(V)),,@)
say      = $(if $(filter 1,$(V)),,@printf '  %-7s %s\n' $(1) $(2))

PYTHON  ?= python3
CC      := gcc
LD      := ld
OBJCOPY := objcopy
NM      := nm

.PHONY: all run test bench debug clean deps
all: $(BUILD)/esp.img

include boot/build.mk
include kernel/build.mk
include test/build.mk
include test/fuzz.mk

# The ESP: /EFI/BOOT/BOOTX64.EFI (the removable-media path, so OVMF boots it
# with no prompt), /cosmos/kernel.elf and /cosmos/cmdline.txt.
CMDLINE ?=
$(BUILD)/esp.img: $(LOADER_EFI) $(KERNEL_ELF) scripts/mkesp.sh FORCE
	$(call say,ESP,$@)
	$(Q)scripts/mkesp.sh $@ $(LOADER_EFI) $(KERNEL_ELF) "$(CMDLINE)"

deps:
	$(Q)scripts/deps.sh

run: deps all
	$(Q)scripts/qemu.sh $(BUILD)/esp.img

debug: deps all
	$(Q)scripts/deps.sh --with-gdb
	@echo "debug: QEMU waits for GDB on :1234; in another terminal run: gdb -x scripts/gdbinit"
	$(Q)scripts/qemu.sh $(BUILD)/esp.img -s -S

clean:
	rm -rf $(BUILD)

FORCE:
