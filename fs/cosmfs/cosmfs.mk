# cosmfs on the host: mkfs.cosmfs, fsck.cosmfs and the cosmfs image tool,
# built with the host compiler from the same format code as the kernel
# (fs/cosmfs/*.c but the kernel's own k*.c files).

COSMFS_CORE  := $(filter-out fs/cosmfs/k%.c,$(wildcard fs/cosmfs/*.c))
COSMFS_HOST  := $(COSMFS_CORE) fs/cosmfs/tools/hostio.c fs/cosmfs/tools/tool.c
COSMFS_HDRS  := $(wildcard fs/cosmfs/*.h fs/cosmfs/tools/*.h)
TOOLS_DIR    := $(BUILD)/tools
TOOL_CFLAGS  := -std=gnu11 -Iinclude -I. -DCOSMOS_HOST -O2 -g -Wall -Wextra -Werror
COSMFS_TOOLS := $(TOOLS_DIR)/mkfs.cosmfs $(TOOLS_DIR)/fsck.cosmfs $(TOOLS_DIR)/cosmfs

mkfs.cosmfs_SRC  := fs/cosmfs/tools/mkfs_main.c fs/cpio.c
fsck.cosmfs_SRC  := fs/cosmfs/tools/fsck_main.c fs/cosmfs/tools/fsck.c
cosmfs_SRC       := fs/cosmfs/tools/cosmfs_main.c

.PHONY: cosmfs-tools
cosmfs-tools: $(COSMFS_TOOLS)

define cosmfs_tool_rule
$(TOOLS_DIR)/$(1): $($(1)_SRC) $(COSMFS_HOST) $(COSMFS_HDRS)
	$$(call say,HOSTCC,$$@)
	@mkdir -p $$(dir $$@)
	$$(Q)$$(HOST_CC) $$(TOOL_CFLAGS) $($(1)_SRC) $$(COSMFS_HOST) -o $$@
endef
$(foreach t,mkfs.cosmfs fsck.cosmfs cosmfs,$(eval $(call cosmfs_tool_rule,$(t))))

# build/disk.img: a cosmfs holding what the initramfs holds (user/build.mk
# and scripts/mkinitrd.py describe that tree; mkfs reads the archive), for
# booting with root=vda (make run does). DISK_SIZE sets its size. It is
# made again only when the initramfs changes, which replaces what was
# written to it.
DISK_IMG  := $(BUILD)/disk.img
DISK_SIZE ?= 512M

.PHONY: disk
all: $(COSMFS_TOOLS) $(DISK_IMG)
disk: $(DISK_IMG)

$(DISK_IMG): $(INITRD) $(TOOLS_DIR)/mkfs.cosmfs
	$(call say,MKFS,$@)
	$(Q)rm -f $@.tmp && $(TOOLS_DIR)/mkfs.cosmfs $@.tmp $(DISK_SIZE) -L cosmos -c $(INITRD) >/dev/null && \
		mv $@.tmp $@
