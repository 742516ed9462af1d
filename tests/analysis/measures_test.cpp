// The measure registry and its results container: names, serialisation and applicability.
#include <plnet/analysis/measures.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>

namespace plnet::analysis {
namespace {

TEST(AnalysisMeasures, RegistryNamesAreUniqueAndFindable) {
  std::set<std::string> names;
  for (const auto& m : measures()) {
    EXPECT_TRUE(names.insert(m.name).second) << m.name;
    EXPECT_FALSE(m.description.empty()) << m.name;
    EXPECT_TRUE(m.not_applicable && m.compute) << m.name;
    EXPECT_EQ(find_measure(m.name), &m);
  }
  EXPECT_EQ(find_measure("no-such-measure"), nullptr);
  for (const char* required : {"physical-spectrum", "cost-hessian", "susceptibility", "ls-identity",
                               "correlation", "relative-conductance", "effective", "dimension",
                               "alignment", "sectors", "realisable-rank", "landscape"})
    EXPECT_TRUE(names.count(required)) << required;
}

TEST(AnalysisMeasures, ResultsSerialiseRowsAndNonFiniteAsNull) {
  MeasureResults r;
  r.set("x", 2.5);
  r.set("n", Index{3});
  r.set("v", Vector{{1.0, std::numeric_limits<double>::quiet_NaN()}});
  Matrix m(2, 3);
  m << 1, 2, 3, 4, 5, std::numeric_limits<double>::infinity();
  r.set("m", m);
  r.set("i", std::vector<Index>{4, 1});
  r.set("s", std::string("text"));
  const auto j = r.to_json();
  EXPECT_EQ(j["x"].get<double>(), 2.5);
  EXPECT_EQ(j["n"].get<Index>(), 3);
  EXPECT_EQ(j["v"][0].get<double>(), 1.0);
  EXPECT_TRUE(j["v"][1].is_null());
  // rows of the matrix: m[i][j] = m(i, j)
  EXPECT_EQ(j["m"].size(), 2U);
  EXPECT_EQ(j["m"][0][2].get<double>(), 3.0);
  EXPECT_EQ(j["m"][1][0].get<double>(), 4.0);
  EXPECT_TRUE(j["m"][1][2].is_null());
  EXPECT_EQ(j["i"].get<std::vector<Index>>(), (std::vector<Index>{4, 1}));
  EXPECT_EQ(j["s"], "text");
  EXPECT_EQ(r.number("n"), 3.0);
  EXPECT_THROW(r.number("v"), std::invalid_argument);
  EXPECT_THROW(r.at("missing"), std::invalid_argument);
  EXPECT_THROW(r.set("x", 1.0), std::invalid_argument);         // set twice
  EXPECT_THROW(r.set("Bad-Name", 1.0), std::invalid_argument);  // HDF5/JSON-safe names only
}

TEST(AnalysisMeasures, OptionsNameTheFieldAndValue) {
  AnalysisOptions o;
  o.landscape_grid = 4;
  try {
    o.validate();
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("landscape_grid: must be odd and >= 3 (got 4)"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace plnet::analysis
