#include <plnet/analysis/measures.hpp>
#include <plnet/core/error.hpp>
#include <plnet/io/hdf5.hpp>

#include <algorithm>
#include <cmath>

namespace plnet::analysis {
namespace {

nlohmann::json number(double v) {
  if (!std::isfinite(v)) return nullptr;  // JSON has no NaN or infinity
  return v;
}

nlohmann::json to_json(const MeasureResults::Value& value) {
  return std::visit(
      [](const auto& v) -> nlohmann::json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, double>) {
          return number(v);
        } else if constexpr (std::is_same_v<T, Index> || std::is_same_v<T, std::string> ||
                             std::is_same_v<T, std::vector<Index>>) {
          return v;
        } else if constexpr (std::is_same_v<T, Vector>) {
          nlohmann::json a = nlohmann::json::array();
          for (Index i = 0; i < v.size(); ++i) a.push_back(number(v[i]));
          return a;
        } else {
          nlohmann::json rows = nlohmann::json::array();
          for (Index r = 0; r < v.rows(); ++r) {
            nlohmann::json row = nlohmann::json::array();
            for (Index c = 0; c < v.cols(); ++c) row.push_back(number(v(r, c)));
            rows.push_back(std::move(row));
          }
          return rows;
        }
      },
      value);
}

}  // namespace

void MeasureResults::add(const std::string& name, Value value, io::Describe describe) {
  require(!name.empty() && std::all_of(name.begin(), name.end(),
                                       [](char c) {
                                         return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                                                c == '_';
                                       }),
          "MeasureResults", "invalid value name '", name, "' (need [a-z0-9_]+)");
  require(!has(name), "MeasureResults", "value '", name, "' set twice");
  entries_.push_back({name, std::move(value), std::move(describe)});
}

void MeasureResults::set(const std::string& name, double value, io::Describe describe) {
  add(name, value, std::move(describe));
}
void MeasureResults::set(const std::string& name, Index value, io::Describe describe) {
  add(name, value, std::move(describe));
}
void MeasureResults::set(const std::string& name, std::string value, io::Describe describe) {
  add(name, std::move(value), std::move(describe));
}
void MeasureResults::set(const std::string& name, Vector value, io::Describe describe) {
  add(name, std::move(value), std::move(describe));
}
void MeasureResults::set(const std::string& name, Matrix value, io::Describe describe) {
  add(name, std::move(value), std::move(describe));
}
void MeasureResults::set(const std::string& name, std::vector<Index> value, io::Describe describe) {
  add(name, std::move(value), std::move(describe));
}

bool MeasureResults::has(const std::string& name) const {
  return std::any_of(entries_.begin(), entries_.end(),
                     [&](const Entry& e) { return e.name == name; });
}

const MeasureResults::Value& MeasureResults::at(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.name == name) return e.value;
  throw std::invalid_argument("MeasureResults: no value '" + name + "'");
}

double MeasureResults::number(const std::string& name) const {
  const Value& v = at(name);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<Index>(&v)) return static_cast<double>(*i);
  throw std::invalid_argument("MeasureResults: value '" + name + "' is not a scalar number");
}

nlohmann::json MeasureResults::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& e : entries_) j[e.name] = analysis::to_json(e.value);
  return j;
}

void MeasureResults::write(io::H5Writer& writer, const std::string& group) const {
  writer.create_group(group);
  for (const auto& e : entries_) {
    const std::string path = group + "/" + e.name;
    std::visit([&](const auto& v) { writer.write(path, v, e.describe); }, e.value);
  }
}

}  // namespace plnet::analysis
