# mk/jobs.mk - built-in job files: bench/jobs/*.ini become C strings in every build flavour.
#
# scripts/embed-jobs.sh writes $(JOBS_C) under $(BUILD). Its object goes into the native,
# sanitizer and static libraries at the same relative path as any source's object, so each
# flavour's own pattern rule compiles it with that flavour's flags (ASan, -static, cross).
# Included by the Makefile after mk/static.mk, whose $(STATIC_OBJ) it uses.

JOB_FILES := $(sort $(wildcard bench/jobs/*.ini))
JOBS_C := $(BUILD)/gen/embedded_jobs.c
JOBS_O := $(JOBS_C:%.c=%.o)

# Added prerequisites: the archive recipes take $^, so the object joins each library.
$(NATIVE)/libdmabench.a: $(NATIVE)/$(JOBS_O)
$(ASAN)/libdmabench.a: $(ASAN)/$(JOBS_O)
$(STATIC_OBJ)/libdmabench.a: $(STATIC_OBJ)/$(JOBS_O)

# Generated on every make but replaced only when the text differs (as the kernel's filechk):
# a job file that was deleted or added changes it too, which no file timestamp would show.
.PHONY: FORCE
FORCE:
$(JOBS_C): scripts/embed-jobs.sh FORCE
	@mkdir -p $(@D)
	$(Q)scripts/embed-jobs.sh $(JOB_FILES) >$@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@ && echo "  GEN	$@"; fi
