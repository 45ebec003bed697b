# user/: the ring-3 programs, built with `musl-gcc -static` (static ET_EXEC)
# into $(BUILD)/user/bin/, and the initramfs $(BUILD)/initrd.cpio that holds
# them with busybox. usertests-host, bench-host and init-host run some of
# them on this Linux host (they test Linux, which proves the tests; not part
# of `make test`).

USER_CC     := musl-gcc
# include/cosmos and the generated native call numbers are shared with the
# kernel (channel structures, COSMOS_SYS_*).
USER_CFLAGS := -std=gnu11 -static -O2 -Wall -Wextra -Werror -Iuser/lib -Iinclude -I$(KGEN)/include
USER_BIN    := $(BUILD)/user/bin
USER_OBJDIR := $(BUILD)/user/obj
BUSYBOX     ?= /bin/busybox
INITRD      := $(BUILD)/initrd.cpio

# Each program: its sources and where the initramfs puts it (default /bin/NAME).
# All of them link user/lib.
USER_PROGS    := hello usertests bench exit0 crash spawn init cosinfo fuzz crashload
hello_SRC     := user/hello/hello.c
crash_SRC     := user/crash/crash.c
spawn_SRC     := user/spawn/spawn.c
usertests_SRC := $(sort $(wildcard user/tests/*.c))
bench_SRC     := user/bench/bench.c
exit0_SRC     := user/bench/exit0.c
init_SRC      := $(sort $(wildcard user/init/*.c))
init_DEST     := /sbin/init
cosinfo_SRC   := $(sort $(wildcard user/cosinfo/*.c))
fuzz_SRC      := $(sort $(wildcard user/fuzz/*.c))
crashload_SRC := user/crashload/crashload.c
user_dest      = $(or $($(1)_DEST),/bin/$(1))

USER_LIB     := $(BUILD)/user/libuser.a
USER_LIB_OBJ := $(patsubst %.c,$(USER_OBJDIR)/%.o,$(wildcard user/lib/*.c))
USER_ALL_OBJ := $(USER_LIB_OBJ) $(foreach p,$(USER_PROGS),$(patsubst %.c,$(USER_OBJDIR)/%.o,$($(p)_SRC)))

.PHONY: user initrd usertests-host bench-host init-host cosinfo-host shell-test-host
all: $(INITRD)
user: $(addprefix $(USER_BIN)/,$(USER_PROGS))
initrd: $(INITRD)

$(USER_OBJDIR)/%.o: %.c | $(SYSCALL_GEN)
	$(call say,MUSLCC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(USER_CC) $(USER_CFLAGS) -MMD -MP -c $< -o $@

# The syscall fuzzer's table, from the same sys/syscalls.tab as the kernel's.
FUZZ_CALLS_H := $(BUILD)/user/gen/fuzz_calls.h
$(FUZZ_CALLS_H): sys/syscalls.tab user/fuzz/gen-calls.py scripts/gen-syscalls.py
	$(call say,GEN,$@)
	$(Q)$(PYTHON) user/fuzz/gen-calls.py $< $@
$(patsubst %.c,$(USER_OBJDIR)/%.o,$(fuzz_SRC)): USER_CFLAGS += -I$(BUILD)/user/gen
$(patsubst %.c,$(USER_OBJDIR)/%.o,$(fuzz_SRC)): | $(FUZZ_CALLS_H)

$(USER_LIB): $(USER_LIB_OBJ)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

define user_prog_rule
$(USER_BIN)/$(1): $(patsubst %.c,$(USER_OBJDIR)/%.o,$($(1)_SRC)) $(USER_LIB)
	$$(call say,LD,$$@)
	@mkdir -p $$(dir $$@)
	$$(Q)$(USER_CC) $(USER_CFLAGS) $$^ -o $$@
endef
$(foreach p,$(USER_PROGS),$(eval $(call user_prog_rule,$(p))))
-include $(USER_ALL_OBJ:.o=.d)

# The generated part of the staging description: busybox with one symlink
# per applet, then our programs (listed later, so they win over an applet of
# the same name). user/initrd.list holds the fixed part.
$(BUILD)/user/initrd-gen.list: $(BUSYBOX) user/build.mk
	$(call say,GEN,$@)
	@mkdir -p $(dir $@)
	$(Q){ printf 'file /bin/busybox %s 0755 0 0\n' $(BUSYBOX) && \
	  $(BUSYBOX) --list-full | grep -v '^bin/busybox$$' | sed 's|.*|slink /& /bin/busybox 0 0|' && \
	  $(foreach p,$(USER_PROGS),printf 'file %s %s 0755 0 0\n' $(call user_dest,$(p)) $(USER_BIN)/$(p) &&) \
	  true; } > $@.tmp && mv $@.tmp $@

$(INITRD): scripts/mkinitrd.py user/initrd.list $(wildcard user/etc/*) user/tests/scripts/shell.sh user/tests/scripts/applets.sh user/tests/scripts/ktap.sh \
	   user/tests/issue11.select $(BUILD)/user/initrd-gen.list $(addprefix $(USER_BIN)/,$(USER_PROGS))
	$(call say,CPIO,$@)
	$(Q)$(PYTHON) scripts/mkinitrd.py $@ $(BUILD)/user/initrd-gen.list user/initrd.list

# UT="fs_ proc_fork" picks cases by name prefix. Runs as root in a fresh
# directory under /tmp, removed afterwards.
UT ?=
usertests-host: $(USER_BIN)/usertests
	$(Q)d=$$(mktemp -d /tmp/usertests.XXXXXX) && chmod 755 "$$d" || exit 1; \
	(cd "$$d" && $(abspath $(USER_BIN))/usertests $(UT)); rc=$$?; \
	case "$$d" in /tmp/usertests.?*) rm -rf "$$d";; esac; exit $$rc

# BENCH="pipe_ fork_" picks benchmarks by name prefix.
BENCH ?=
bench-host: $(USER_BIN)/bench $(USER_BIN)/exit0
	$(Q)d=$$(mktemp -d /tmp/bench.XXXXXX) || exit 1; \
	$(USER_BIN)/bench -d "$$d" -e $(abspath $(USER_BIN))/exit0 $(BENCH); rc=$$?; \
	case "$$d" in /tmp/bench.?*) rm -rf "$$d";; esac; exit $$rc

# init as pid 1 of new namespaces on this host (root), with test inittabs.
init-host: $(USER_BIN)/init
	$(Q)BUSYBOX=$(BUSYBOX) sh user/init/test-host.sh $(abspath $(USER_BIN))/init $(abspath $(BUILD))/init-host \
	    $(abspath user/etc)

# cosinfo on this host and on made-up /proc and /sys trees.
cosinfo-host: $(USER_BIN)/cosinfo
	$(Q)$(PYTHON) user/cosinfo/test-host.py $(abspath $(USER_BIN))/cosinfo $(abspath $(BUILD))/cosinfo-host

# The shell-script test under busybox sh with only busybox's applets on
# PATH, as on CosmOS.
shell-test-host:
	$(Q)d=$(abspath $(BUILD))/shell-test-host; rm -rf "$$d" && mkdir -p "$$d/bin" && \
	$(BUSYBOX) --install -s "$$d/bin" && \
	env -i PATH="$$d/bin" HOME=/root $(BUSYBOX) sh user/tests/scripts/shell.sh "$$d"
