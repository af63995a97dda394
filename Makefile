# Cognate: two commands on a fresh Debian machine.
#   make run   installs what is missing, builds, serves http://127.0.0.1:9229 with data in ./data
#              (make run TLS=1 / make run-tls: https:// with a development certificate, scripts/dev-cert)
#   make test  installs, builds and runs every test (unit, contract, e2e on SQLite and PostgreSQL)
BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
FUZZ_DIR  ?= build-fuzz
JOBS      ?= $(shell nproc)
ARGS      ?=
TLS       ?=
TLS_DIR   ?= ./data/tls
RUN_TLS   := $(if $(filter 1 yes true,$(TLS)),--tls-cert $(TLS_DIR)/cert.pem --tls-key $(TLS_DIR)/key.pem)
CMAKE_GEN := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: all deps build run run-tls dev-cert test test-unit test-e2e test-asan fuzz bench format clean

all: build

deps:
	@scripts/install-deps

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build $(if $(RUN_TLS),dev-cert)
	$(BUILD_DIR)/src/app/cognate --data-dir ./data $(RUN_TLS) $(ARGS)

run-tls:
	$(MAKE) run TLS=1

dev-cert:
	scripts/dev-cert $(TLS_DIR)

test: build
	scripts/run-tests $(BUILD_DIR)

test-unit: build
	cd $(BUILD_DIR) && ctest -L unit --output-on-failure -j $(JOBS)

test-asan: deps
	cmake -S . -B $(ASAN_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DCOGNATE_SANITIZE=ON -DCOGNATE_BUILD_BENCH=OFF
	cmake --build $(ASAN_DIR) -j $(JOBS)
	scripts/run-tests $(ASAN_DIR) --quick

fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DCOGNATE_FUZZ=ON -DCOGNATE_BUILD_TESTS=OFF -DCOGNATE_BUILD_BENCH=OFF -DCMAKE_UNITY_BUILD=ON
	cmake --build $(FUZZ_DIR) -j $(JOBS)

bench: build
	bench/run-all $(BUILD_DIR)

format:
	find src tests bench -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)
