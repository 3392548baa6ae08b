# The two commands a newcomer runs: `make run` and `make test`. Both install what they need first.
.PHONY: all deps node-deps web build build-debug run test bench format clean

JOBS ?= $(shell nproc)

all: build

deps:
	./scripts/install-deps.sh

# npm packages the tests drive (the AWS SDK for JavaScript), pinned by package-lock.json.
node-deps: deps
	cd tests/integration/js && npm ci --no-audit --no-fund --loglevel=error

# The web app (React + Vite) that `onehop serve` and `onehop dev` serve: web/dist, not committed.
web: deps
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build

build: deps
	cmake --preset release
	cmake --build --preset release -j $(JOBS)

build-debug: deps
	cmake --preset debug
	cmake --build --preset debug -j $(JOBS)

# `onehop dev`: the store, the API and the web app on this machine; data in ./data.
run: deps web
	cmake --preset release
	cmake --build --preset release -j $(JOBS) --target onehop
	./build/release/src/onehop dev --data ./data --web-dir ./web/dist

# Every test: unit tests, integration tests with real clients, and a short run of each fuzz
# target, under AddressSanitizer and UndefinedBehaviorSanitizer. The release binary is built too,
# for the tests that measure memory. ctest prints the summary last.
test: build-debug node-deps web
	cmake --preset release
	cmake --build --preset release -j $(JOBS) --target onehop
	ctest --preset debug

bench: build
	./bench/run-all.sh

format:
	find src tests bench fuzz -name '*.cpp' -o -name '*.hpp' | xargs clang-format -i

clean:
	rm -rf build
