#!/usr/bin/env bash
# Rebuilds what boards/pico/ holds for the emulated Raspberry Pi Pico, from pinned sources:
#   devicescript-rp2040-pico.uf2  the DeviceScript runtime (devicescript-pico at fe4a4e8, runtime
#                                 v2.16.0, pico-sdk 1.4.0) with the generic Pico board config
#   firmware-symbols.json         the ELF addresses the emulator hooks (tools/src/pico/)
#   firmware-functions.json.gz    every function of the ELF (name, address, size), for the profiler
#   bootrom-b1.bin                the RP2040 B1 bootrom (its double-precision routines run the VM's maths)
# Tests and CI use the committed files; only this script needs the toolchain and the sources.
#
# usage: MIRRORS=<dir> tools/scripts/build-pico-firmware.sh [out-dir, default boards/pico]
#   MIRRORS holds bare clones named owner+name/repo (as the search tool's `fetch` lays them out) of
#   microsoft/devicescript-pico, microsoft/devicescript, raspberrypi/pico-sdk, microsoft/jacdac-c,
#   microsoft/jacdac, amosnier/sha-2, kokke/tiny-AES-c, hathach/tinyusb and wokwi/rp2040js.
#   cyw43-driver and lwip are only for the Pico W, which this build is not.
# needs: apt-get install -y gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib cmake
# Measured: about 75 s on 2 cores; two builds give the same bytes.
set -euo pipefail
: "${MIRRORS:?set MIRRORS to the folder of fetched mirrors}"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$(realpath -m "${1:-$ROOT/boards/pico}")
DEVS="$ROOT/node_modules/.bin/devs"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# the commits: devicescript-pico's own, then the submodule commits it pins (git ls-tree shows them)
checkout() { # mirror, folder, commit
    git clone -q --no-checkout "$MIRRORS/$1/repo" "$2"
    git -C "$2" checkout -q "$3"
}
T=$WORK/devicescript-pico
git clone -q --no-checkout "$MIRRORS/microsoft+devicescript-pico/repo" "$T"
git -C "$T" checkout -q fe4a4e8191ce567d67c9274ace231519dcc4ef91
cd "$T"
# microsoft/devicescript's mirror lacks two website .mp4 blobs; checkout reports them and goes on
checkout microsoft+devicescript devicescript c4e21867c53925030ef9c8f5d11b5fd400577b97 || true
checkout raspberrypi+pico-sdk pico-sdk 2e6142b15b8a75c1227dd3edbe839193b2bf9041
checkout microsoft+jacdac-c devicescript/runtime/jacdac-c 499942823027445855e50c772b4eef4646ad5eb6
checkout microsoft+jacdac devicescript/runtime/jacdac-c/jacdac 96bba5d294d3596c8cb0f60d8a5dbc0e2b157051
checkout amosnier+sha-2 devicescript/runtime/devicescript/sha-2 5e6011c6a8750110fb4607d71087ae7af90b558b
checkout kokke+tiny-AES-c devicescript/runtime/devicescript/network/tiny-AES-c f06ac37fc31dfdaca2e0d9bec83f90d5663c319b
checkout hathach+tinyusb pico-sdk/lib/tinyusb 4bfab30c02279a0530e1a56f4a7c539f2d35a293

# the Makefile would run yarn and git submodule (network): call cmake as it does, plain Pico
B=build/rp2040
mkdir -p $B
# assert messages name source files: with the build folder mapped to a fixed name, a rebuild is byte-identical
echo "add_compile_options(-ffile-prefix-map=$T=/devicescript-pico)" > $B/config.cmake
echo 'const char app_fw_version[] = "v2.16.0";' > $B/version.c
(cd $B && cmake ../.. -DPICO_BOARD=pico > cmake.log && make -j2 > make.log)

# the board config (boards/rp2040/pico.board.json) patched in, as the release's generic Pico UF2
mkdir -p "$WORK/dist"
"$DEVS" binpatch --slug microsoft/devicescript-pico --uf2 $B/src/devsrunner.uf2 \
    --outdir "$WORK/dist" boards/rp2040/pico.board.json > /dev/null
mkdir -p "$OUT"
cp "$WORK/dist/devicescript-rp2040-pico.uf2" "$OUT/"

# the functions the emulator hooks, by address (thumb bit cleared)
arm-none-eabi-nm $B/src/devsrunner.elf | node -e '
    const want = ["jd_dmesg_write", "devs_vm_exec_opcode", "jd_gc_any_try_alloc"]
    const nm = require("fs").readFileSync(0, "utf8")
    const symbols = {}
    for (const name of want) {
        const m = new RegExp("^([0-9a-f]+) [tT] " + name + "$", "m").exec(nm)
        if (!m) throw new Error("the ELF has no function " + name)
        symbols[name] = "0x" + (parseInt(m[1], 16) & ~1).toString(16).padStart(8, "0")
    }
    const $comment = "Addresses in devicescript-rp2040-pico.uf2 of the functions tools/src/pico/ hooks; written from the ELF by tools/scripts/build-pico-firmware.sh"
    process.stdout.write(JSON.stringify({ $comment, symbols }, null, 4) + "\n")' > "$OUT/firmware-symbols.json"

# every function of the ELF, by address, for tools/scripts/pico-profile.ts (gzip'd)
arm-none-eabi-readelf -sW $B/src/devsrunner.elf | node -e '
    const rows = new Map()
    for (const line of require("fs").readFileSync(0, "utf8").split("\n")) {
        const f = line.trim().split(/\s+/) // Num: Value Size Type Bind Vis Ndx Name
        if (f.length < 8 || f[3] !== "FUNC") continue // size 0: an assembly routine without .size (pico-sdk double_aeabi.S)
        const address = parseInt(f[1], 16) & ~1
        if (!rows.has(address) || rows.get(address)[2] === 0) rows.set(address, [f[7], address, Number(f[2])])
    }
    const functions = [...rows.values()].sort((a, b) => a[1] - b[1])
    const $comment = "Functions of devicescript-rp2040-pico.uf2 as [name, address, bytes], from the ELF by tools/scripts/build-pico-firmware.sh"
    process.stdout.write(require("zlib").gzipSync(JSON.stringify({ $comment, functions }) + "\n", { level: 9 }))' > "$OUT/firmware-functions.json.gz"

# the B1 bootrom, as rp2040js's demo carries it (built from raspberrypi/pico-bootrom at tag b1)
git -C "$MIRRORS/wokwi+rp2040js/repo" show 7701ee065f50a04380f81361befd754810cb9e28:demo/bootrom.ts |
    node -e '
        const words = require("fs").readFileSync(0, "utf8").split("new Uint32Array([")[1].split("])")[0].match(/0x[0-9a-f]+/gi).map(Number)
        const buf = Buffer.alloc(words.length * 4)
        words.forEach((w, i) => buf.writeUInt32LE(w, 4 * i))
        if (buf.length !== 16384) throw new Error("bootrom: expected 16 KB, got " + buf.length)
        process.stdout.write(buf)' > "$OUT/bootrom-b1.bin"

(cd "$OUT" && sha256sum devicescript-rp2040-pico.uf2 firmware-symbols.json firmware-functions.json.gz bootrom-b1.bin)
