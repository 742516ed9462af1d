#pragma once
// Shared by every benchmark family of plnet_bench (one binary): run on one BLAS / OpenMP
// thread, so that plnet is compared with single-threaded numpy/scipy and ngspice.

#include <dlfcn.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include <cstdlib>
#include <string>

namespace plnet::bench {

// One BLAS / OpenMP thread. OpenBLAS and libgomp read their environment variables in library
// constructors, which run before any code of this program, so setting the variables here only
// reaches child processes; the thread counts of the already loaded libraries are set through
// their runtime calls. (benchmarks/compare_solve.py also sets the variables before starting us.)
// Returns a description of the BLAS actually loaded, for the benchmark context.
inline std::string force_one_thread() {
  setenv("OPENBLAS_NUM_THREADS", "1", 1);
  setenv("OMP_NUM_THREADS", "1", 1);
#ifdef _OPENMP
  // omp_set_num_threads is not enough: CHOLMOD 3.0 (SuiteSparse 5.12) asks for num_threads(4)
  // in cholmod_super_numeric whatever the environment says. With no active parallel level
  // allowed every region runs on the calling thread alone (OMP_THREAD_LIMIT=1, which
  // compare_solve.py also sets, has the same effect but is read only at start-up).
  omp_set_num_threads(1);
  omp_set_max_active_levels(0);
#endif
  // dgemm_ is what CHOLMOD's supernodal factorisation calls; dladdr names the library providing
  // it. OpenBLAS-specific entry points are looked up rather than linked, so that the binary still
  // runs (and says so) on the reference BLAS.
  std::string blas = "no BLAS loaded";
  if (void* dgemm = dlsym(RTLD_DEFAULT, "dgemm_")) {
    Dl_info info{};
    if (dladdr(dgemm, &info) != 0 && info.dli_fname != nullptr) blas = info.dli_fname;
  }
  using SetThreads = void (*)(int);
  using GetThreads = int (*)();
  using GetConfig = char* (*)();
  const auto set_threads =
      reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  const auto get_threads =
      reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  const auto get_config = reinterpret_cast<GetConfig>(dlsym(RTLD_DEFAULT, "openblas_get_config"));
  if (set_threads != nullptr) set_threads(1);
  if (get_config != nullptr) blas += std::string(" (") + get_config() + ")";
  if (get_threads != nullptr) blas += ", threads=" + std::to_string(get_threads());
  return blas;
}

}  // namespace plnet::bench
