# Makefile - the commands a newcomer needs; CMake does the building in build/.
BUILD   ?= build
CC      ?= clang
JOBS    ?= $(shell nproc)
PREFIX  ?= /usr/local
CMAKE_FLAGS ?=

.PHONY: all build bootstrap demo test unit install clean lint bench

all: build

$(BUILD)/CMakeCache.txt:
	CC=clang cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

bootstrap:
	@scripts/bootstrap

demo: bootstrap
	@$(MAKE) --no-print-directory build >/dev/null
	@scripts/demo

# Installs what the tests need, builds everything, runs every test; ends with ctest's summary.
test: bootstrap
	@$(MAKE) --no-print-directory build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

unit: build
	cd $(BUILD) && ctest --output-on-failure -R '^unit/'

install: build
	cmake --install $(BUILD)

lint: build
	scripts/lint

bench: build
	bench/run

clean:
	rm -rf $(BUILD)
