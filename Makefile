# Thin wrappers over Meson. `make run` and `make test` set everything up
# (Debian packages included) on a fresh Debian 12 machine, as root.
BUILD      ?= build
TEST_BUILD ?= build-test
FUZZ_BUILD ?= build-fuzz
PYTHON     ?= /usr/bin/python3
MESON      ?= meson
JOBS       ?= $(shell nproc)

.PHONY: all deps build install-python run test unit integration fuzz bench clean format

all: build

deps:
	./scripts/install-deps

$(BUILD)/build.ninja:
	$(MESON) setup $(BUILD) --buildtype=release -Dtests=false

build: $(BUILD)/build.ninja
	$(MESON) compile -C $(BUILD)

# libtrawl, the CLI and the Python module `trawl` into /usr/local (Debian's
# python3 looks in /usr/local/lib/python3.X/dist-packages; the module finds
# libtrawl by its rpath), so that `python3 -c 'import trawl'` works anywhere.
install-python: build
	$(MESON) install -C $(BUILD) --no-rebuild --quiet --tags runtime,python-runtime
	-ldconfig

# The main job: the capture server, live on every interface, on
# http://127.0.0.1:8080 (it prints how to log in). RUN_ARGS adds options:
#   make run RUN_ARGS='--replay build/tools/sample.pcapng --speed realtime --loop'
RUN_ARGS ?=
run: deps build install-python
	$(BUILD)/src/cli/trawl serve $(RUN_ARGS)

$(TEST_BUILD)/build.ninja:
	$(MESON) setup $(TEST_BUILD) --buildtype=debugoptimized \
	    -Db_sanitize=address,undefined -Db_lundef=false -Dtests=true

# Every test: unit tests (cmocka) and integration tests (pytest), all under
# AddressSanitizer and UndefinedBehaviorSanitizer, then the fuzzers for a
# bounded time.
test: deps
	$(MAKE) install-python unit integration fuzz

unit: $(TEST_BUILD)/build.ninja
	$(MESON) compile -C $(TEST_BUILD)
	$(MESON) test -C $(TEST_BUILD) --print-errorlogs --num-processes $(JOBS)

integration: $(TEST_BUILD)/build.ninja
	$(MESON) compile -C $(TEST_BUILD)
	TRAWL_BUILD=$(abspath $(TEST_BUILD)) $(PYTHON) -m pytest -q tests/integration

$(FUZZ_BUILD)/build.ninja:
	CC=clang $(MESON) setup $(FUZZ_BUILD) --buildtype=debugoptimized \
	    -Dfuzz=true -Dtests=false -Db_lundef=false

fuzz: $(FUZZ_BUILD)/build.ninja
	$(MESON) compile -C $(FUZZ_BUILD)
	./tests/fuzz/run-fuzzers $(FUZZ_BUILD) 60

bench: build
	BUILD=$(BUILD) ./bench/run

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(TEST_BUILD) $(FUZZ_BUILD)
