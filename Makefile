# Chorus: `make run` to try it, `make test` to check it. Both install what they need first.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: all deps configure build run test bench clean

all: build

deps:
	@scripts/install-deps

$(BUILD)/build.ninja: CMakeLists.txt | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)
	node web/build.mjs

run: build
	@mkdir -p var
	$(BUILD)/chorus serve --listen 127.0.0.1:8080 --data-dir ./var

test: build
	scripts/run-tests $(BUILD)

bench: build
	bench/run-all $(BUILD)

clean:
	rm -rf $(BUILD)
