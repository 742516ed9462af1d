// Fuzz target: experiment files (learning::parse_experiment: TOML text to a validated network,
// task, data set, loss, rule and protocol). Mutations edit the parsed TOML tree: a value becomes
// one of another type, an extreme number, an odd string, an empty or nested array; a key is
// dropped or an unknown one added. Experiments refer to net.json, net.txt and data.csv, written
// next to them once.
#include "fuzz_support.hpp"

#include <plnet/learning/experiment.hpp>

#include <toml++/toml.h>

#include <sstream>
#include <vector>

namespace {

using plnet::fuzz::Choices;

// Where a value sits: a key of a table or an element of an array.
struct Slot {
  toml::table* table = nullptr;
  std::string key;
  toml::array* array = nullptr;
  std::size_t index = 0;

  toml::node* get() const { return table != nullptr ? table->get(key) : array->get(index); }
  template <class T>
  void set(T&& value) const {
    if (table != nullptr)
      table->insert_or_assign(key, std::forward<T>(value));
    else
      array->replace(array->cbegin() + static_cast<long>(index), std::forward<T>(value));
  }
  void erase() const {
    if (table != nullptr)
      table->erase(key);
    else
      array->erase(array->cbegin() + static_cast<long>(index));
  }
};

void collect(toml::node& node, std::vector<Slot>& out) {
  if (auto* t = node.as_table()) {
    for (auto&& [key, child] : *t) {
      out.push_back({t, std::string(key.str()), nullptr, 0});
      collect(child, out);
    }
  } else if (auto* a = node.as_array()) {
    for (std::size_t i = 0; i < a->size(); ++i) {
      out.push_back({nullptr, {}, a, i});
      collect(*a->get(i), out);
    }
  }
}

void mutate(const Slot& slot, Choices& c) {
  switch (c.below(10)) {
    case 0:
      slot.set(c.extreme_integer());
      break;
    case 1: {
      const double x = c.extreme_double();
      slot.set(x);
      break;
    }
    case 2:
      slot.set(c.odd_string());
      break;
    case 3:
      slot.set(c.one_in(2));
      break;
    case 4:
      slot.set(toml::array{});
      break;
    case 5:
      slot.set(toml::array{toml::array{1, 2}, "x"});
      break;
    case 6:
      slot.set(toml::table{{"node", 1}});
      break;
    case 7:
      slot.erase();
      break;
    case 8:  // a number one off (indices and counts at their boundary)
      if (auto* v = slot.get(); v != nullptr && v->is_integer())
        slot.set(v->as_integer()->get() + (c.one_in(2) ? 1 : -1));
      break;
    default:  // an array one element longer (another input, output or column)
      if (auto* v = slot.get(); v != nullptr && v->is_array() && !v->as_array()->empty()) {
        toml::array copy = *v->as_array();
        copy.push_back(*copy.get(c.below(copy.size())));
        slot.set(std::move(copy));
      }
      break;
  }
}

void write_companion_files() {
  static const bool written = [] {
    plnet::fuzz::write_scratch("net.json",
                               R"({"nodes": [[0,0],[1,0],[0,1],[1,1],[2,0],[2,1]], )"
                               R"("edges": [[0,1],[0,2],[1,3],[2,3],[1,4],[3,5],[4,5]], )"
                               R"("conductances": [1,2,1,0.5,1,1,2]})");
    plnet::fuzz::write_scratch("net.txt", "# nodes 6\n0 1\n0 2\n1 3\n2 3\n1 4\n3 5\n4 5\n");
    plnet::fuzz::write_scratch("data.csv",
                               "a,b,t,species\n0.1,0.2,0.3,x\n0.4,0.5,0.6,y\n0.7,0.8,0.9,x\n"
                               "1.0,1.1,1.2,y\n1.3,1.4,1.5,x\n1.6,1.7,1.8,y\n");
    return true;
  }();
  (void)written;
}

}  // namespace

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size,
                                               std::size_t max_size, unsigned seed) {
  Choices c(seed);
  if (c.one_in(5)) return plnet::fuzz::mutate_bytes(data, size, max_size);
  toml::table doc;
  try {
    doc = toml::parse(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const toml::parse_error&) {
    return plnet::fuzz::mutate_bytes(data, size, max_size);
  }
  const int edits = 1 + static_cast<int>(c.below(3));
  for (int k = 0; k < edits; ++k) {
    std::vector<Slot> slots;
    collect(doc, slots);
    if (slots.empty() || c.one_in(12)) {
      doc.insert_or_assign("unknown_key", 1);
      continue;
    }
    mutate(slots[c.below(slots.size())], c);
  }
  std::ostringstream out;
  out << doc;
  return plnet::fuzz::emit(out.str(), data, size, max_size);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  write_companion_files();
  const std::string text(reinterpret_cast<const char*>(data), size);
  plnet::fuzz::expect_clean([&] {
    (void)plnet::learning::parse_experiment(text, "fuzz.toml", plnet::fuzz::scratch_dir());
  });
  return 0;
}
