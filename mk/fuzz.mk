# mk/fuzz.mk - libFuzzer targets for the parsers of untrusted input: the CSV reader under
# compare / plot / the validator, the job-file parser, and `dmabench run`'s option parser with
# the case count and memory arithmetic behind it. Included by the Makefile.
#
#   make fuzz                  every target, FUZZ_TIME seconds each (part of make check)
#   make fuzz FUZZ_TIME=600    a longer hunt; new inputs are kept in $(FUZZ)/corpus-NAME
#   $(FUZZ)/fuzz_csv_read CRASH_FILE     replay one input
# clang (-fsanitize=fuzzer,address,undefined) builds the harness and the parser it drives; the
# job-file and option targets take everything behind the parser (the benchmark registry, the CPU
# kernels, which use GCC-only SIMD code) uninstrumented from the native library, so only the
# parser's code guides the fuzzer. Crashes land in $(FUZZ)/ as crash-*, with the log beside them.

FUZZ_CC ?= clang
FUZZ_TIME ?= 30
FUZZ := $(BUILD)/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# No -Werror here: the GCC builds hold the warning line; a clang-only warning in a parser
# must not stop the fuzzing of it.
# -MMD: a header that changes (a struct the native library also uses) rebuilds the objects.
FUZZ_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -MMD -MP $(FUZZ_SAN)
FUZZ_TARGETS := csv_read jobfile run_options
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ)/fuzz_%)

# The instrumented sources of each target besides its harness.
FUZZ_SRCS_csv_read := bench/results/csv_read.c bench/results/safe_file.c
FUZZ_SRCS_jobfile := bench/job/jobfile.c bench/job/job_options.c bench/job/sweep.c bench/job/size_units.c
FUZZ_SRCS_run_options := bench/cli/run_options.c bench/cli/cli_common.c bench/mem_guard.c \
	bench/mem_limit.c bench/analysis/name_list.c \
	$(FUZZ_SRCS_jobfile)

$(FUZZ)/obj/%.o: %.c | checkdeps
	@mkdir -p $(@D)
	$(call quiet,CC-FUZZ)
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) -c $< -o $@

$(FUZZ)/fuzz_csv_read: $(FUZZ)/obj/tests/fuzz/fuzz_csv_read.o \
		$(FUZZ_SRCS_csv_read:%.c=$(FUZZ)/obj/%.o)
	$(call quiet,LD-FUZZ)
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ -lcsv

# -lgomp: the native library's OpenMP code was compiled by GCC.
$(FUZZ)/fuzz_jobfile: $(FUZZ)/obj/tests/fuzz/fuzz_jobfile.o \
		$(FUZZ_SRCS_jobfile:%.c=$(FUZZ)/obj/%.o) $(NATIVE)/libdmabench.a
	$(call quiet,LD-FUZZ)
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LIBS) -lgomp

$(FUZZ)/fuzz_run_options: $(FUZZ)/obj/tests/fuzz/fuzz_run_options.o \
		$(FUZZ_SRCS_run_options:%.c=$(FUZZ)/obj/%.o) $(NATIVE)/libdmabench.a
	$(call quiet,LD-FUZZ)
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LIBS) -lgomp

FUZZ_SEEDS_csv_read := tests/fuzz/corpus/csv_read tests/data/compare/base
FUZZ_SEEDS_jobfile := tests/fuzz/corpus/jobfile bench/jobs
FUZZ_OPTS_jobfile := -dict=tests/fuzz/jobfile.dict
FUZZ_SEEDS_run_options := tests/fuzz/corpus/run_options
FUZZ_OPTS_run_options := -dict=tests/fuzz/run_options.dict

# Bounded: each target runs FUZZ_TIME seconds from its seeds (and what earlier runs found),
# and fails make on the first crash, leak or sanitizer report, showing where it is.
.PHONY: fuzz
fuzz: $(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ)/corpus-$$t; \
		case $$t in csv_read) seeds='$(FUZZ_SEEDS_csv_read)'; opts='';; \
		jobfile) seeds='$(FUZZ_SEEDS_jobfile)'; opts='$(FUZZ_OPTS_jobfile)';; \
		run_options) seeds='$(FUZZ_SEEDS_run_options)'; opts='$(FUZZ_OPTS_run_options)';; esac; \
		if $(FUZZ)/fuzz_$$t -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix=$(FUZZ)/ -print_final_stats=1 $$opts \
			$(FUZZ)/corpus-$$t $$seeds >$(FUZZ)/$$t.log 2>&1; then \
			echo "fuzz $$t: $$(sed -n 's/^stat::number_of_executed_units: *//p' \
				$(FUZZ)/$$t.log) inputs in $(FUZZ_TIME) s, no crash"; \
		else \
			tail -40 $(FUZZ)/$$t.log; echo "fuzz $$t: FAILED, see $(FUZZ)/$$t.log"; exit 1; \
		fi; \
	done
