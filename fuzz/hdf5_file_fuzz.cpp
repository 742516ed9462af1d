// Fuzz targets: checkpoints (learning::read_checkpoint, built with PLNET_FUZZ_CHECKPOINT) and run
// files (learning::read_run, PLNET_FUZZ_RUN_FILE). An input is not a file but a recipe of edits
// to a valid file written once at start-up by a short training run: delete an object, replace a
// dataset by one of another type or shape (extreme values, empty, a string, a declared size of
// 10^9 elements), change the format attributes, then flip bits of or truncate the bytes. So
// libFuzzer's own mutations of the recipe are structural edits of the HDF5 file, and each
// finding is a small recipe kept in fuzz/regressions/.
#include "fuzz_support.hpp"

#include <plnet/io/hdf5.hpp>
#include <plnet/learning/experiment.hpp>
#include <plnet/learning/run_file.hpp>
#include <plnet/learning/trainer.hpp>

#include <fuzzer/FuzzedDataProvider.h>
#include <hdf5.h>

#include <vector>

namespace {

// A small experiment whose checkpoint and run file hold every dataset kind plnet writes
// (strings, scalars, index lists, vectors, matrices, groups, attributes).
constexpr const char* kExperiment = R"(
[experiment]
description = "fuzz base"
[network]
generator = "erdos-renyi"
nodes = 10
degree = 4
seed = 1
[task]
ground = [0]
inputs = [{node = 1}, {node = 2}]
outputs = [{node = 5}, {node = 6}]
[data]
kind = "linear"
map = [[0.3, 0.2], [0.1, 0.4]]
samples = 6
seed = 2
[rule]
kind = "coupled"
nudge = 0.1
[protocol]
learning_rate = 0.05
steps = 8
batch = 2
freeze_probability = 0.3
seed = 3
[logging]
every = 2
parameters_every = 4
)";

struct Base {
  plnet::learning::Experiment experiment;
  std::string bytes;                 // the valid file
  std::vector<std::string> objects;  // its groups and datasets, "/a/b"
};

herr_t visit(hid_t, const char* name, const H5L_info_t*, void* out) {
  static_cast<std::vector<std::string>*>(out)->push_back("/" + std::string(name));
  return 0;
}

Base& base() {
  static Base b = [] {
    Base out;
    out.experiment = plnet::learning::parse_experiment(kExperiment, "base.toml", ".");
    const auto& e = out.experiment;
    plnet::learning::Trainer trainer(*e.model, e.task, e.train, e.test, e.loss, e.rule, e.protocol,
                                     e.initial_parameters, e.solve);
    while (trainer.step()) {
    }
    const std::string path = plnet::fuzz::scratch_dir() + "/base.h5";
#if defined(PLNET_FUZZ_CHECKPOINT)
    plnet::learning::write_checkpoint(path, e, trainer.checkpoint());
#else
    plnet::learning::write_run(path, e, trainer);
#endif
    out.bytes = plnet::fuzz::read_file(path);
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    H5Lvisit(f, H5_INDEX_NAME, H5_ITER_INC, visit, &out.objects);
    H5Fclose(f);
    return out;
  }();
  return b;
}

// Replaces (or creates) the dataset `name` with one of `dims` built from `type`, written with
// `values` unless the size is only declared (chunked, never written).
void put_dataset(hid_t file, const std::string& name, hid_t type, const std::vector<hsize_t>& dims,
                 const void* values, bool declared_only) {
  H5Ldelete(file, name.c_str(), H5P_DEFAULT);
  hid_t space = dims.empty()
                    ? H5Screate(H5S_SCALAR)
                    : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  if (declared_only && !dims.empty()) {
    std::vector<hsize_t> chunk(dims.size(), 1);
    H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data());
  }
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  const hid_t set = H5Dcreate2(file, name.c_str(), type, space, lcpl, dcpl, H5P_DEFAULT);
  if (set >= 0 && !declared_only && values != nullptr)
    H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
  if (set >= 0) H5Dclose(set);
  H5Pclose(lcpl);
  H5Pclose(dcpl);
  H5Sclose(space);
}

void put_string_attribute(hid_t file, const char* name, const std::string& value) {
  H5Adelete(file, name);
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, value.empty() ? 1 : value.size());
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t a = H5Acreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  if (a >= 0) {
    H5Awrite(a, type, value.c_str());
    H5Aclose(a);
  }
  H5Sclose(space);
  H5Tclose(type);
}

void put_integer_attribute(hid_t file, const char* name, std::int64_t value) {
  H5Adelete(file, name);
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t a = H5Acreate2(file, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
  if (a >= 0) {
    H5Awrite(a, H5T_NATIVE_INT64, &value);
    H5Aclose(a);
  }
  H5Sclose(space);
}

// Applies the structural edits of the recipe to the file at `path`.
void edit_objects(const std::string& path, FuzzedDataProvider& recipe, plnet::fuzz::Choices& c) {
  const Base& b = base();
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  if (file < 0) return;
  const int edits = recipe.ConsumeIntegralInRange(0, 4);
  for (int k = 0; k < edits && recipe.remaining_bytes() > 0; ++k) {
    const std::string& name =
        b.objects[recipe.ConsumeIntegralInRange<std::size_t>(0, b.objects.size() - 1)];
    const hsize_t rows = recipe.ConsumeIntegralInRange<hsize_t>(0, 12);
    const hsize_t cols = recipe.ConsumeIntegralInRange<hsize_t>(0, 12);
    switch (recipe.ConsumeIntegralInRange(0, 8)) {
      case 0:
        H5Ldelete(file, name.c_str(), H5P_DEFAULT);
        break;
      case 1: {  // a float64 vector
        std::vector<double> v(rows);
        for (double& x : v) x = c.extreme_double();
        put_dataset(file, name, H5T_IEEE_F64LE, {rows}, v.data(), false);
        break;
      }
      case 2: {  // a float64 matrix
        std::vector<double> v(rows * cols);
        for (double& x : v) x = c.extreme_double();
        put_dataset(file, name, H5T_IEEE_F64LE, {rows, cols}, v.data(), false);
        break;
      }
      case 3: {  // an int64 scalar
        const std::int64_t x = c.extreme_integer();
        put_dataset(file, name, H5T_STD_I64LE, {}, &x, false);
        break;
      }
      case 4: {  // an int64 list
        std::vector<std::int64_t> v(rows);
        for (auto& x : v) x = c.extreme_integer();
        put_dataset(file, name, H5T_STD_I64LE, {rows}, v.data(), false);
        break;
      }
      case 5: {  // a fixed-length string of any bytes
        std::string s = recipe.ConsumeRandomLengthString(64);
        const hid_t type = H5Tcopy(H5T_C_S1);
        H5Tset_size(type, s.empty() ? 1 : s.size());
        s.resize(std::max<std::size_t>(s.size(), 1));
        put_dataset(file, name, type, {}, s.data(), false);
        H5Tclose(type);
        break;
      }
      case 6: {  // a size declared but never written: 10^9 doubles
        const hsize_t huge = 1000000000;
        put_dataset(file, name, H5T_IEEE_F64LE,
                    cols % 2 == 0 ? std::vector<hsize_t>{huge} : std::vector<hsize_t>{huge, 3},
                    nullptr, true);
        break;
      }
      case 7:
        put_string_attribute(file, "plnet_format", recipe.ConsumeRandomLengthString(16));
        break;
      default:
        put_integer_attribute(file, "plnet_format_version", c.extreme_integer());
        break;
    }
  }
  H5Fclose(file);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // HDF5's own error stack stays quiet
  (void)base();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider recipe(data, size);
  plnet::fuzz::Choices c(recipe.ConsumeIntegral<unsigned>());
  const std::string path = plnet::fuzz::write_scratch("input.h5", base().bytes);
  edit_objects(path, recipe, c);
  // Byte-level damage after the structural edits: bit flips, then perhaps a truncation.
  std::string bytes = plnet::fuzz::read_file(path);
  const int flips = recipe.ConsumeIntegralInRange(0, 3);
  for (int k = 0; k < flips && !bytes.empty(); ++k) {
    const std::size_t at = recipe.ConsumeIntegralInRange<std::size_t>(0, bytes.size() - 1);
    bytes[at] = static_cast<char>(bytes[at] ^ (1 << recipe.ConsumeIntegralInRange(0, 7)));
  }
  if (recipe.ConsumeBool())
    bytes.resize(recipe.ConsumeIntegralInRange<std::size_t>(0, bytes.size()));
  plnet::fuzz::write_scratch("input.h5", bytes);
  plnet::fuzz::expect_clean([&] {
#if defined(PLNET_FUZZ_CHECKPOINT)
    (void)plnet::learning::read_checkpoint(path, base().experiment);
#else
    (void)plnet::learning::read_run(path);
#endif
  });
  return 0;
}
