# boot/: the gnu-efi UEFI application BOOTX64.EFI (flags per toolchain-facts.md).

EFI_INC     := /usr/include/efi
EFI_CFLAGS  := -I$(EFI_INC) -I$(EFI_INC)/x86_64 -I$(EFI_INC)/protocol -Iinclude -I. \
               -DGNU_EFI_USE_MS_ABI -DCOSMOS_LOADER -std=gnu11 \
               -fpic -ffreestanding -fno-stack-protector -fno-stack-check -fshort-wchar \
               -mno-red-zone -mgeneral-regs-only -maccumulate-outgoing-args -O2 \
               -Wall -Wextra -Werror
EFI_LDFLAGS := -nostdlib -shared -Bsymbolic -znocombreloc --no-undefined -L/usr/lib \
               -T/usr/lib/elf_x86_64_efi.lds

# The loader shares the ELF checks, the formatter, the command-line parser and
# the memory-map cleaning with the kernel and the host tests; memcpy/memset
# come from gnu-efi's libefi.
LOADER_SRC  := $(wildcard boot/*.c) lib/elf_check.c lib/fmt.c lib/cmdline.c lib/memmap.c
LOADER_OBJ  := $(patsubst %.c,$(BUILD)/boot/%.o,$(LOADER_SRC))
LOADER_EFI  := $(BUILD)/boot/BOOTX64.EFI

$(BUILD)/boot/%.o: %.c
	$(call say,CC-EFI,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(EFI_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/boot/loader.so: $(LOADER_OBJ)
	$(call say,LD,$@)
	$(Q)$(LD) $(EFI_LDFLAGS) /usr/lib/crt0-efi-x86_64.o $^ -o $@ -lgnuefi -lefi

$(LOADER_EFI): $(BUILD)/boot/loader.so
	$(call say,OBJCOPY,$@)
	$(Q)$(OBJCOPY) -j .text -j .sdata -j .data -j .rodata -j .dynamic -j .dynsym \
		-j .rel -j .rela -j '.rel.*' -j '.rela.*' -j .reloc \
		--target efi-app-x86_64 --subsystem=10 $< $@

-include $(LOADER_OBJ:.o=.d)
