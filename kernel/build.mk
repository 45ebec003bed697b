# The kernel ELF: hal/, kernel/, drivers/ and lib/ built freestanding for the
# higher half, linked twice so that panics can print symbol names.

KGEN    := $(BUILD)/kernel/gen
KCFLAGS := -std=gnu11 -Iinclude -I. -I$(KGEN) -I$(KGEN)/include -ffreestanding -fno-pic -fno-pie -mcmodel=kernel \
           -mno-red-zone -mgeneral-regs-only -fno-omit-frame-pointer \
           -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-builtin \
           -fstack-protector-strong -mstack-protector-guard=global \
           -O2 -g -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
           -DCOSMOS_KERNEL
KLDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack --build-id=none

KERNEL_SRC := $(wildcard hal/*.c hal/*.S kernel/*.c kernel/*/*.c drivers/*.c drivers/*/*.c fs/*.c fs/*/*.c sys/*.c lib/*.c)
KERNEL_OBJ := $(patsubst %,$(BUILD)/kernel/%.o,$(KERNEL_SRC))

# Sources made at build time: the console font from its hand-drawn text.
KERNEL_OBJ += $(BUILD)/kernel/gen/font8x16.c.o
$(BUILD)/kernel/gen/font8x16.c: fonts/cosmos8x16.txt scripts/gen-font.py
	$(call say,GEN,$@)
	@mkdir -p $(dir $@)
	$(Q)$(PYTHON) scripts/gen-font.py $< > $@.tmp && mv $@.tmp $@

# The system-call table, its handler prototypes and the native numbers
# (scripts/gen-syscalls.py rewrites a file only when its text changes).
SYSCALL_GEN := $(KGEN)/sys/syscall_table.c $(KGEN)/sys/syscall_protos.h \
               $(KGEN)/sys/syscall_counts.h $(KGEN)/include/cosmos/syscall_native.h
KERNEL_OBJ += $(KGEN)/sys/syscall_table.c.o
$(KGEN)/syscalls.stamp: sys/syscalls.tab scripts/gen-syscalls.py
	$(call say,GEN,$(KGEN)/sys/syscall_table.c)
	@mkdir -p $(KGEN)
	$(Q)$(PYTHON) scripts/gen-syscalls.py sys/syscalls.tab $(KGEN)
	@touch $@
$(SYSCALL_GEN): $(KGEN)/syscalls.stamp
	@:
# Every kernel object may include a generated header: make them first.
$(KERNEL_OBJ): | $(SYSCALL_GEN)

$(BUILD)/kernel/gen/%.c.o: $(BUILD)/kernel/gen/%.c
	$(call say,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KCFLAGS) -MMD -MP -c $< -o $@
KERNEL_ELF := $(BUILD)/kernel/kernel.elf
KERNEL_LDS := kernel/kernel.ld

$(BUILD)/kernel/%.c.o: %.c
	$(call say,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KCFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/kernel/%.S.o: %.S
	$(call say,AS,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KCFLAGS) -MMD -MP -c $< -o $@

# Pass 1 links with an empty symbol table; pass 2 with the table made from
# pass 1. The table sits after all code, so no function moves between passes
# (gen-ksyms.py --check verifies that).
$(BUILD)/kernel/ksyms0.S:
	@mkdir -p $(dir $@)
	$(Q)$(PYTHON) scripts/gen-ksyms.py --empty > $@

$(BUILD)/kernel/kernel.pass1.elf: $(KERNEL_OBJ) $(BUILD)/kernel/ksyms0.S.o $(KERNEL_LDS)
	$(call say,LD,$@)
	$(Q)$(LD) $(KLDFLAGS) -T $(KERNEL_LDS) $(KERNEL_OBJ) $(BUILD)/kernel/ksyms0.S.o -o $@

$(BUILD)/kernel/ksyms.S: $(BUILD)/kernel/kernel.pass1.elf scripts/gen-ksyms.py
	$(call say,KSYMS,$@)
	$(Q)$(NM) -n --defined-only $< | $(PYTHON) scripts/gen-ksyms.py > $@

$(BUILD)/kernel/%.S.o: $(BUILD)/kernel/%.S
	$(call say,AS,$<)
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(KERNEL_ELF): $(KERNEL_OBJ) $(BUILD)/kernel/ksyms.S.o $(KERNEL_LDS)
	$(call say,LD,$@)
	$(Q)$(LD) $(KLDFLAGS) -T $(KERNEL_LDS) $(KERNEL_OBJ) $(BUILD)/kernel/ksyms.S.o -o $@
	$(Q)$(NM) -n --defined-only $@ | $(PYTHON) scripts/gen-ksyms.py --check $(BUILD)/kernel/ksyms.S

-include $(KERNEL_OBJ:.o=.d)
