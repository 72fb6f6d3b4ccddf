# Entry points (README): `make demo` and `make test` install what is missing,
# build, and run. Everything else is a step of those two.
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
SVIC := $(BUILD)/driver/svic
# ccache (installed by install-deps.sh) makes rebuilds in fresh build
# directories cheap; the build works without it.
LAUNCHER := $(if $(shell command -v ccache 2>/dev/null),-DCMAKE_CXX_COMPILER_LAUNCHER=ccache,)
# Paths under the checkout are hashed relative to it, so a fresh clone in
# another folder reuses the objects of an earlier build.
export CCACHE_BASEDIR := $(CURDIR)

.PHONY: all deps configure build test demo asan fuzz-smoke clean

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(LAUNCHER) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory asan
	@$(MAKE) --no-print-directory fuzz-smoke

# 60 seconds of libFuzzer over parse + lowering + every analysis (clang-19,
# ASan+UBSan, build-fuzz); bench/fuzz/run.sh SECONDS is the long run.
fuzz-smoke: deps
	@mkdir -p build-fuzz
	@rm -rf build-fuzz/smoke-corpus
	@FUZZ_CORPUS=build-fuzz/smoke-corpus bash bench/fuzz/run.sh 60 >build-fuzz/smoke.log 2>&1 \
	  && tail -1 build-fuzz/smoke.log \
	  || { tail -60 build-fuzz/smoke.log; echo "fuzz-smoke: failed (build-fuzz/smoke.log)"; exit 1; }

demo: build
	$(SVIC) sites examples/tutorial/branching.py
	$(SVIC) analyze examples/tutorial/branching.py
	$(SVIC) grad examples/tutorial/branching.py --samples 100000 --format text
	$(SVIC) run examples/tutorial/linear_regression.py --data examples/data/linear_regression.json \
	    --steps 2000 --lr 0.05

# The bad-input corpus and every example under AddressSanitizer + UBSan,
# then the estimator (lower, generate, JIT, run) on every tutorial and br
# (a sanitizer report aborts with exit code 99, which fails the loop).
asan: deps
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DSVIC_SANITIZE=ON $(LAUNCHER) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS) --target svic
	@bash scripts/run-corpus.sh $(ASAN_BUILD)/driver/svic
	@export ASAN_OPTIONS=exitcode=99 UBSAN_OPTIONS=halt_on_error=1; \
	for d in examples/paper/*/; do \
	  $(ASAN_BUILD)/driver/svic analyze $$d/model.py --guide $$d/guide.py --format json >/dev/null \
	    || { echo "asan: svic failed on $$d"; exit 1; }; \
	done; \
	for f in examples/tutorial/*.py; do \
	  $(ASAN_BUILD)/driver/svic analyze $$f --format sarif >/dev/null \
	    || { echo "asan: svic failed on $$f"; exit 1; }; \
	done; \
	echo "asan: every example analysed cleanly"; \
	for f in examples/tutorial/*.py; do \
	  n=$$(basename $$f .py); d=""; [ -f examples/data/$$n.json ] && d="--data examples/data/$$n.json"; \
	  $(ASAN_BUILD)/driver/svic grad $$f $$d --samples 100 >/dev/null 2>&1; rc=$$?; \
	  [ $$rc -le 2 ] || { echo "asan: svic grad failed on $$f (exit $$rc)"; exit 1; }; \
	done; \
	$(ASAN_BUILD)/driver/svic run examples/paper/br/model.py --guide examples/paper/br/guide.py \
	    --data examples/data/br.csv --steps 100 >/dev/null 2>&1 || { echo "asan: svic run failed on br"; exit 1; }; \
	echo "asan: the estimator compiled and ran every tutorial cleanly"

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
