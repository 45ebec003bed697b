# test/: host unit tests (cmocka, one binary per test/host/test_<name>.c, linked
# with the sources listed in test/host/test_<name>.deps) and the `test`/`bench`
# entry points, which hand over to test/run.py for all three test levels.

HOST_CC     ?= gcc
# Sanitizers catch out-of-bounds reads in the parsers; used when the host has
# them. Probed once, and only when a host test is built.
HOST_SAN     = $(eval HOST_SAN := $(shell printf 'int main(void){return 0;}' | \
                 $(HOST_CC) -fsanitize=address,undefined -x c - -o /dev/null 2>/dev/null && \
                 echo -fsanitize=address,undefined -fno-sanitize-recover=undefined))$(HOST_SAN)
HOST_CFLAGS  = -std=gnu11 -Iinclude -I. -DCOSMOS_HOST -O1 -g -fno-omit-frame-pointer \
               -Wall -Wextra -Werror $(HOST_SAN)
HOST_LIBS   := -lcmocka

HOST_TEST_SRC := $(wildcard test/host/test_*.c)
HOST_TESTS    := $(patsubst test/host/%.c,$(BUILD)/test/host/%,$(HOST_TEST_SRC))

# The .deps sidecar names the project sources a test links with, one per line
# ('#' starts a comment). lib/string.c never belongs there: libc has those.
host_deps = $(filter-out lib/string.c,$(shell sed -e 's/\#.*//' $(wildcard test/host/$(1).deps) 2>/dev/null))

define host_test_rule
$(BUILD)/test/host/$(1): test/host/$(1).c $(call host_deps,$(1)) $(wildcard test/host/$(1).deps) $(wildcard test/host/*.h)
	$$(call say,HOSTCC,$$@)
	@mkdir -p $$(dir $$@)
	@rm -f $$@
	$$(Q)$$(HOST_CC) $$(HOST_CFLAGS) -MMD -MP -MF $$@.d test/host/$(1).c $(call host_deps,$(1)) -o $$@ $$(HOST_LIBS)
endef
$(foreach t,$(HOST_TEST_SRC:test/host/%.c=%),$(eval $(call host_test_rule,$(t))))
-include $(HOST_TESTS:=.d)

.PHONY: host-tests
host-tests: $(HOST_TESTS)
	@:

# TEST=regex runs only the tests whose full name matches (e.g. TEST=host/fmt).
TEST ?=
RUN_FLAGS := --build $(BUILD) $(if $(TEST),--filter '$(TEST)') $(if $(filter 1,$(V)),--verbose)

# The full run (and a TEST naming lockdep) also builds the kernel with the
# lock-order checker and boots its ktests (test/run.py --lockdep-kernel);
# under LOCKDEP=1 the whole run is on that build already.
# (BUILD=dir puts it in dir-lockdep/, beside dir/.)
LOCKDEP_BUILD  := $(BUILD)-lockdep
LOCKDEP_KERNEL := $(LOCKDEP_BUILD)/kernel/kernel.elf
want_lockdep = $(and $(filter-out 1,$(LOCKDEP)),$(if $(TEST),$(findstring lockdep,$(TEST)),yes))

# A build failure must not hide the summary line: the runner reports missing
# binaries as failed tests, and a failed image build as failed boot tests.
test:
	$(Q)scripts/deps.sh
	$(Q)img=0; $(MAKE) --no-print-directory all || img=1; \
	$(MAKE) -k --no-print-directory host-tests fuzz-targets || true; \
	$(if $(want_lockdep),$(MAKE) --no-print-directory LOCKDEP=1 BUILD=$(LOCKDEP_BUILD) $(LOCKDEP_KERNEL) || true;) \
	$(PYTHON) test/run.py $(RUN_FLAGS) --image-build-failed=$$img \
	  $(if $(filter-out 1,$(LOCKDEP)),--lockdep-kernel $(LOCKDEP_KERNEL))

bench:
	$(Q)scripts/deps.sh
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(PYTHON) test/run.py --build $(BUILD) --bench

# The same user/bench under Debian's Linux 6.1 in CosmOS's QEMU (downloads
# the kernel package the first time; scripts/linux-bench.sh).
bench-linux:
	$(Q)scripts/deps.sh
	$(Q)$(MAKE) --no-print-directory $(USER_BIN)/bench $(USER_BIN)/exit0
	$(Q)scripts/linux-bench.sh $(BUILD)
