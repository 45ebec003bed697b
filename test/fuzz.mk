# test/fuzz/: libFuzzer targets, one per parser of outside input. The target
# test/fuzz/fuzz_<name>.c links with the sources listed in
# test/host/test_<name>.deps, the parser's one file list, shared with its
# host unit test. `make fuzz` runs them (test/fuzz/fuzz.py); `make test` runs
# each for a few seconds and replays the saved crash inputs (test/run.py).

FUZZ_CC     ?= clang
FUZZ_FLAGS   = -std=gnu11 -Iinclude -I. -DCOSMOS_HOST -O1 -g -fno-omit-frame-pointer \
               -Wall -Wextra -Werror
FUZZ_SAN    := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
               -fsanitize-coverage-ignorelist=test/fuzz/coverage-ignore.txt
# Source-based coverage build (make fuzz-cov): the same harness, run over the corpus.
FUZZ_COV    := -fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping

FUZZ_SRC    := $(wildcard test/fuzz/fuzz_*.c)
FUZZ_NAMES  := $(FUZZ_SRC:test/fuzz/fuzz_%.c=%)
FUZZ_BINS   := $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)

# $(1) name, $(2) output prefix, $(3) sanitizer/coverage flags
define fuzz_rule
$(BUILD)/fuzz/$(2)$(1): test/fuzz/fuzz_$(1).c test/host/test_$(1).deps $(call host_deps,test_$(1)) test/fuzz/fuzz.h \
		test/fuzz/coverage-ignore.txt
	$$(call say,FUZZCC,$$@)
	@mkdir -p $$(dir $$@)
	@rm -f $$@
	$$(Q)$$(FUZZ_CC) $$(FUZZ_FLAGS) $(3) -MMD -MP -MF $$@.d test/fuzz/fuzz_$(1).c $(call host_deps,test_$(1)) -o $$@
endef
$(foreach t,$(FUZZ_NAMES),$(eval $(call fuzz_rule,$(t),fuzz_,$$(FUZZ_SAN))))
$(foreach t,$(FUZZ_NAMES),$(eval $(call fuzz_rule,$(t),cov_,$$(FUZZ_COV))))
-include $(FUZZ_BINS:=.d) $(FUZZ_NAMES:%=$(BUILD)/fuzz/cov_%.d)

# FUZZ=name picks one target; FUZZ_TIME is seconds per target.
FUZZ      ?=
FUZZ_TIME ?= 60
FUZZ_PICK  = $(if $(FUZZ),$(FUZZ),$(FUZZ_NAMES))

.PHONY: fuzz fuzz-targets fuzz-cov
fuzz-targets: $(FUZZ_BINS)
	@:

fuzz:
	$(Q)scripts/deps.sh
	$(Q)$(MAKE) --no-print-directory $(FUZZ_PICK:%=$(BUILD)/fuzz/fuzz_%)
	$(Q)$(PYTHON) test/fuzz/fuzz.py --build $(BUILD) --time $(FUZZ_TIME) $(FUZZ_PICK)

# Lines of each parser reached by its saved corpus (clang source coverage).
fuzz-cov:
	$(Q)scripts/deps.sh --with-llvm
	$(Q)$(MAKE) --no-print-directory $(FUZZ_PICK:%=$(BUILD)/fuzz/cov_%)
	$(Q)$(PYTHON) test/fuzz/fuzz.py --build $(BUILD) --coverage $(FUZZ_PICK)

# A long run of the syscall fuzzer inside CosmOS, judged as system/fuzz_syscalls
# (test/system/fuzz_kernel.py): FUZZ_CALLS calls from FUZZ_SEED in FUZZ_PROCS workers.
FUZZ_CALLS ?= 1000000
FUZZ_SEED  ?= 1
FUZZ_PROCS ?= 4

.PHONY: fuzz-kernel
fuzz-kernel: deps all
	$(Q)$(PYTHON) test/system/fuzz_kernel.py --build $(BUILD) --calls $(FUZZ_CALLS) \
		--seed $(FUZZ_SEED) --procs $(FUZZ_PROCS)
