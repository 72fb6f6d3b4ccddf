//===- StdlibTest.cpp - The Python 3.11 standard library parses -------------===//
///
/// A fixed sample of 200 `.py` files of the installed standard library
/// (every k-th in path order) must parse without a diagnostic: svic reads
/// the whole Python grammar, whatever the analysis later accepts. Skipped
/// when /usr/lib/python3.11 is not installed. The full run over every file
/// is recorded in bench/RESULTS.md.
//===----------------------------------------------------------------------===//

#include "svic/frontend/Parse.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace svic;
namespace fs = std::filesystem;

namespace {

const char *const StdlibDir = "/usr/lib/python3.11";

/// Files CPython's own test data keeps invalid on purpose.
bool invalidOnPurpose(const std::string &Path) {
  return Path.find("/badsyntax_") != std::string::npos ||
         Path.find("/bad_coding") != std::string::npos ||
         Path.find("/lib2to3/tests/data/") != std::string::npos;
}

std::vector<std::string> sample(size_t Count) {
  std::vector<std::string> All;
  std::error_code Ec;
  for (fs::recursive_directory_iterator It(StdlibDir, Ec), End; !Ec && It != End; It.increment(Ec)) {
    const std::string P = It->path().string();
    if (It->is_regular_file(Ec) && It->path().extension() == ".py" &&
        P.find("/site-packages/") == std::string::npos &&
        P.find("/dist-packages/") == std::string::npos && !invalidOnPurpose(P))
      All.push_back(P);
  }
  std::sort(All.begin(), All.end());
  if (All.size() <= Count)
    return All;
  std::vector<std::string> Picked;
  for (size_t I = 0; I < Count; ++I)
    Picked.push_back(All[I * All.size() / Count]);
  return Picked;
}

TEST(Stdlib, FixedSampleOf200Parses) {
  if (!fs::is_directory(StdlibDir))
    GTEST_SKIP() << StdlibDir << " is not installed";
  std::vector<std::string> Files = sample(200);
  ASSERT_FALSE(Files.empty());
  size_t Parsed = 0;
  for (const std::string &Path : Files) {
    std::ifstream In(Path, std::ios::binary);
    std::stringstream Text;
    Text << In.rdbuf();
    SourceManager SM;
    DiagnosticEngine DE;
    FileId F = SM.addFile(Path, Text.str());
    bool Ok = frontend::parseModule(F, SM, DE) != nullptr;
    std::string First = DE.sorted().empty() ? "" : DE.sorted().front().Message;
    EXPECT_TRUE(Ok) << Path << ": " << First;
    Parsed += Ok;
  }
  EXPECT_EQ(Parsed, Files.size());
}

} // namespace
