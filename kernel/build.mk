# The kernel ELF: hal/, kernel/, drivers/ and lib/ built freestanding for the
# higher half, linked twice so that panics can print symbol names.

KGEN    := $(BUILD)/kernel/gen
KCFLAGS := -std=gnu11 -Iinclude -I. -I$(KGEN) -I$(KGEN)/include -ffreestanding -fno-pic -fno-pie -mcmodel=kernel \
           -mno-red-zone -mgeneral-regs-only -fno-omit-frame-pointer \
           -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-builtin \
           -fstack-protector-strong -mstack-protector-guard=global \
           -O2 -g -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
           -DCOSMOS_KERNEL $(if $(filter 1,$(LOCKDEP)),-DCONFIG_LOCKDEP)
# --emit-relocs keeps the relocations in kernel.elf: the loader applies them
# to place the kernel at a random address (KASLR, boot/reloc.c).
KLDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack --build-id=none \
            --emit-relocs

KERNEL_SRC := $(wildcard hal/*.c hal/*.S kernel/*.c kernel/*/*.c drivers/*.c drivers/*/*.c fs/*.c fs/*/*.c sys/*.c lib/*.c)
KERNEL_OBJ := $(patsubst %,$(BUILD)/kernel/%.o,$(KERNEL_SRC))

# Sources made at build time: the console font from its hand-drawn text.
KERNEL_OBJ += $(BUILD)/kernel/gen/font8x16.c.o
$(BUILD)/kernel/gen/font8x16.c: fonts/cosmos8x16.txt scripts/gen-font.py
	$(call say,GEN,$@)
	@mkdir -p $(dir $@)
	$(Q)$(PYTHON) scripts/gen-font.py $< > $@.tmp && mv $@.tmp $@

# The vDSO (hal/vdso/): a position-independent shared object for ring 3,
# built with flags of its own, checked to need no relocation (exec maps it
# as it is), and carried in the kernel by vdso_image.S.
VDSO_SO     := $(BUILD)/hal/vdso/vdso.so
VDSO_CFLAGS := -std=gnu11 -O2 -fPIC -ffreestanding -fno-stack-protector -fno-builtin \
               -fno-asynchronous-unwind-tables -fno-unwind-tables -mgeneral-regs-only \
               -Wall -Wextra -Werror
$(BUILD)/hal/vdso/vdso.o: hal/vdso/vdso.c
	$(call say,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(VDSO_CFLAGS) -MMD -MP -c $< -o $@
$(VDSO_SO): $(BUILD)/hal/vdso/vdso.o hal/vdso/vdso.lds
	$(call say,LD,$@)
	$(Q)$(LD) -shared -Bsymbolic --hash-style=both -soname=linux-vdso.so.1 -z max-page-size=4096 \
		-z noexecstack --build-id=none -T hal/vdso/vdso.lds $< -o $@.tmp
	$(Q)readelf -r $@.tmp | grep -q "no relocations" || { echo "$@: needs relocations" >&2; exit 1; }
	$(Q)mv $@.tmp $@
KERNEL_OBJ += $(BUILD)/kernel/hal/vdso/vdso_image.S.o
$(BUILD)/kernel/hal/vdso/vdso_image.S.o: hal/vdso/vdso_image.S $(VDSO_SO)
	$(call say,AS,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KCFLAGS) -DVDSO_SO='"$(VDSO_SO)"' -c $< -o $@
-include $(BUILD)/hal/vdso/vdso.d

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
$(BUILD)/kernel/ksyms0.S: scripts/gen-ksyms.py
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

# The same objects linked 1 GiB higher: test/host/test_reloc.c checks that
# kernel.elf relocated by that much is this file's image, byte for byte.
KERNEL_MOVED_ELF := $(BUILD)/kernel/kernel-moved.elf
$(KERNEL_MOVED_ELF): $(KERNEL_OBJ) $(BUILD)/kernel/ksyms.S.o $(KERNEL_LDS)
	$(call say,LD,$@)
	$(Q)$(LD) $(KLDFLAGS) --defsym=__kernel_moved_by=0x40000000 -T $(KERNEL_LDS) \
		$(KERNEL_OBJ) $(BUILD)/kernel/ksyms.S.o -o $@
all: $(KERNEL_MOVED_ELF)

-include $(KERNEL_OBJ:.o=.d)
