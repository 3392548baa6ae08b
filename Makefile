# The two commands a newcomer runs: `make run` and `make test`. Both install what they need first.
.PHONY: all deps build build-debug run test bench format clean

JOBS ?= $(shell nproc)

all: build

deps:
	./scripts/install-deps.sh

build: deps
	cmake --preset release
	cmake --build --preset release -j $(JOBS)

build-debug: deps
	cmake --preset debug
	cmake --build --preset debug -j $(JOBS)

run: build
	./build/release/onehop --help

# Every test: unit tests, integration tests with real clients, and a short run of each fuzz
# target, under AddressSanitizer and UndefinedBehaviorSanitizer. ctest prints the summary last.
test: build-debug build
	ctest --preset debug

bench: build
	./bench/run-all.sh

format:
	find src tests bench fuzz -name '*.cpp' -o -name '*.hpp' | xargs clang-format -i

clean:
	rm -rf build
