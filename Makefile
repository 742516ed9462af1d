# plnet: `make demo` and `make test` are all a newcomer needs on a fresh Debian 12 machine.
# Both install the dependencies (scripts/setup.sh, idempotent), configure and build first.

BUILD ?= build
# The AddressSanitizer + UndefinedBehaviorSanitizer build (clang), which also holds the fuzzers.
SANITIZE_BUILD ?= build-sanitize
# -O1, as the sanitizers recommend: it compiles in about half the time of -O3, and the
# instrumented code is what the sanitizer build is for, not speed.
SANITIZE_OPT ?= -O1 -DNDEBUG
# `make fuzz`: seconds per target (FUZZ_TARGETS: all by default).
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= network_json edge_list csv experiment_toml checkpoint run_file
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
# ccache keys on paths relative to the checkout, so a clone elsewhere reuses its objects.
export CCACHE_BASEDIR ?= $(CURDIR)

.PHONY: all setup configure build test test-release test-sanitize sanitize-build fuzz demo bench format clean

all: build

setup:
	@bash scripts/setup.sh

configure: setup
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# Every test of the Release build. The sanitizer build with the fuzzers is `make test-sanitize`
# (docs/testing.md says what each part costs).
test: test-release

test-release: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 1200

sanitize-build: setup
	@CC=clang CXX=clang++ cmake -S . -B $(SANITIZE_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release \
	  "-DCMAKE_CXX_FLAGS_RELEASE=$(SANITIZE_OPT)" "-DCMAKE_C_FLAGS_RELEASE=$(SANITIZE_OPT)" \
	  -DPLNET_SANITIZE=ON -DPLNET_FUZZ=ON -DPLNET_BUILD_BENCHMARKS=OFF >/dev/null
	@cmake --build $(SANITIZE_BUILD) -j $(JOBS)

# The reproductions (label "reproduce") run in the Release suite only: under the sanitizers they
# take several times their 6 minutes, and the library code they call is in the GoogleTest cases.
test-sanitize: sanitize-build
	@cd $(SANITIZE_BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 1800 -LE reproduce

fuzz: sanitize-build
	@for t in $(FUZZ_TARGETS); do \
	  bash scripts/fuzz.sh run $$t $(SANITIZE_BUILD)/fuzz/fuzz_$$t $(FUZZ_SECONDS) || exit 1; \
	done

# The demo needs only the program: the tests and benchmarks are built by `make test`/`make bench`.
demo: configure
	@cmake --build $(BUILD) -j $(JOBS) --target plnet_cli
	@bash scripts/demo.sh $(BUILD)/bin/plnet

bench: build
	@/usr/bin/python3 benchmarks/compare_solve.py --bench-binary $(BUILD)/plnet_bench

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	@rm -rf $(BUILD) $(SANITIZE_BUILD)
