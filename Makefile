# Thin wrapper over CMake + CTest. See README.md.
#   make          build everything into build/ (programs in build/bin/); says to run
#                 `make deps` when a build dependency is missing
#   make deps     install the build dependencies (Debian packages)
#   make test     install deps, build with ASan+UBSan into build/asan/, run every test
#   make demo     install deps, build, run the README demo on the simulated board
#   make bench    build (optimised) and refresh BENCHMARKS.md
#   make cortexm  build the Cortex-M4 programs (dfuboot, apps) into build/cortexm/
#   make fuzz     build the libFuzzer harnesses with clang and run each for FUZZ_SECONDS

BUILD        ?= build
JOBS         ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 60
CMAKE_FLAGS  ?=
PREFIX       ?= /usr/local
DESTDIR      ?=

.PHONY: all deps test demo bench fuzz fuzz-smoke clean cortexm

all:
	@./scripts/install-deps.sh --check
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDFU_SANITIZE=OFF $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

deps:
	./scripts/install-deps.sh

test: deps
	cmake -S . -B $(BUILD)/asan -DCMAKE_BUILD_TYPE=Debug -DDFU_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD)/asan -j $(JOBS)
	ctest --test-dir $(BUILD)/asan --output-on-failure -j $(JOBS)
	$(MAKE) fuzz FUZZ_SECONDS=10

cortexm: deps
	./scripts/build-cortexm.sh $(BUILD)/cortexm $(JOBS)

demo: deps all
	./scripts/demo.sh $(BUILD)/bin

bench: deps all cortexm
	./bench/run.sh $(BUILD)/bin

fuzz: deps
	cmake -S . -B $(BUILD)/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DDFU_FUZZ=ON >/dev/null
	cmake --build $(BUILD)/fuzz -j $(JOBS) --target fuzzers
	./scripts/run-fuzzers.sh $(BUILD)/fuzz/bin $(FUZZ_SECONDS)

# make install [PREFIX=/usr/local] [DESTDIR=]: imgtool, mcumgr, devsim, a man page and a bash
# completion for each, under $(DESTDIR)$(PREFIX). Builds what it installs (configuring $(BUILD)
# first when needed); pages and completions come from the `docs` target. cmake --install records
# the files in install_manifest.txt, and make uninstall removes exactly those.
.PHONY: install uninstall
install:
	@test -f $(BUILD)/CMakeCache.txt || $(MAKE) all
	cmake --build $(BUILD) -j $(JOBS) --target docs
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"

uninstall:
	./scripts/uninstall.sh "$(BUILD)/install_manifest.txt" "$(PREFIX)" "$(DESTDIR)"

clean:
	rm -rf $(BUILD)
