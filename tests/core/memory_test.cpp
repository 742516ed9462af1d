// Sizes against this machine's memory: the byte counts in messages and the refusal.
#include <plnet/core/memory.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace {

TEST(Memory, BytesTextUsesDecimalUnitsWithTwoSignificantDigits) {
  EXPECT_EQ(plnet::bytes_text(512), "512 bytes");
  EXPECT_EQ(plnet::bytes_text(12e3), "12 kB");
  EXPECT_EQ(plnet::bytes_text(2.4e12), "2.4 TB");
  EXPECT_EQ(plnet::bytes_text(24.3e9), "24 GB");
  EXPECT_EQ(plnet::bytes_text(999.7e6), "1.0 GB");  // rounds into the next unit
}

TEST(Memory, PhysicalMemoryIsKnownOnLinux) {
  EXPECT_GT(plnet::physical_memory_bytes(), 1e6);
}

TEST(Memory, RequireMemoryRefusesMoreThanThePhysicalMemoryAndNamesWhere) {
  const double memory = plnet::physical_memory_bytes();
  EXPECT_NO_THROW(plnet::require_memory(memory / 2, "data.samples", "10 samples"));
  EXPECT_TRUE(plnet::memory_shortfall(memory / 2, "10 samples").empty());
  try {
    plnet::require_memory(memory * 100, "data.samples", "100000000000 samples x 3 columns");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("data.samples: 100000000000 samples x 3 columns need ", 0), 0u) << what;
    EXPECT_NE(what.find(", more than this machine's " + plnet::bytes_text(memory) + " memory"),
              std::string::npos)
        << what;
  }
}

}  // namespace
