# plnet: `make demo` and `make test` are all a newcomer needs on a fresh Debian 12 machine.
# Both install the dependencies (scripts/setup.sh, idempotent), configure and build first.

BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
# ccache keys on paths relative to the checkout, so a clone elsewhere reuses its objects.
export CCACHE_BASEDIR ?= $(CURDIR)

.PHONY: all setup configure build test demo bench format clean

all: build

setup:
	@bash scripts/setup.sh

configure: setup
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 1200

demo: build
	@bash scripts/demo.sh $(BUILD)/bin/plnet

bench: build
	@/usr/bin/python3 benchmarks/compare_solve.py --bench-binary $(BUILD)/plnet_bench

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	@rm -rf $(BUILD)
