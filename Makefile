# Cognate: two commands on a fresh Debian machine.
#   make run   installs what is missing, builds, serves http://127.0.0.1:9229 with data in ./data
#   make test  installs, builds and runs every test (unit, contract, e2e on SQLite and PostgreSQL)
BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
FUZZ_DIR  ?= build-fuzz
JOBS      ?= $(shell nproc)
ARGS      ?=
CMAKE_GEN := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: all deps build run test test-unit test-e2e test-asan fuzz bench format clean

all: build

deps:
	@scripts/install-deps

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/src/app/cognate --data-dir ./data $(ARGS)

test: build
	scripts/run-tests $(BUILD_DIR)

test-unit: build
	cd $(BUILD_DIR) && ctest -L unit --output-on-failure -j $(JOBS)

test-asan: deps
	cmake -S . -B $(ASAN_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DCOGNATE_SANITIZE=ON -DCOGNATE_BUILD_BENCH=OFF
	cmake --build $(ASAN_DIR) -j $(JOBS)
	scripts/run-tests $(ASAN_DIR) --quick

fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DCOGNATE_FUZZ=ON -DCOGNATE_BUILD_TESTS=OFF -DCOGNATE_BUILD_BENCH=OFF
	cmake --build $(FUZZ_DIR) -j $(JOBS)

bench: build
	bench/run-all $(BUILD_DIR)

format:
	find src tests bench -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)
