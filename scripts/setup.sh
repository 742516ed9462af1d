#!/usr/bin/env bash
# Installs every dependency of plnet from Debian 12 packages. Idempotent: when every package
# is already installed it does nothing (and never touches the network).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang-format ccache
  # numerics: Eigen for dense/sparse algebra, CHOLMOD (SuiteSparse) for sparse Cholesky,
  # OpenBLAS because Debian's default reference BLAS is slow, Spectra for Lanczos
  libeigen3-dev libsuitesparse-dev libopenblas-dev libspectra-dev
  # geometry and topology: CGAL for Delaunay triangulations, GUDHI (needs Boost) for persistence
  libcgal-dev libgmp-dev libmpfr-dev libgudhi-dev libboost-dev
  # I/O and CLI
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libhdf5-dev libfmt-dev
  # SHA-256 of a run's input files (OpenSSL's libcrypto)
  libssl-dev
  # h5diff: the tests check that two runs of the same experiment have no difference
  hdf5-tools
  # tests and benchmarks; ngspice is the independent circuit simulator the tests compare with
  libgtest-dev libgmock-dev libbenchmark-dev ngspice
  # the sanitizer and fuzzing build: clang with libFuzzer and the sanitizer runtimes, and
  # LLVM's OpenMP runtime for clang's -fopenmp
  clang libclang-rt-14-dev libomp-dev
  # Python side: bindings, the numpy/scipy baselines and matplotlib figures (/usr/bin/python3)
  pybind11-dev python3-dev python3-numpy python3-scipy python3-matplotlib python3-h5py
  python3-pytest
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
