//===- TestFiles.h - Scratch directories and files for runtime tests -------===//
#ifndef SVIC_TESTS_RUNTIME_TESTFILES_H
#define SVIC_TESTS_RUNTIME_TESTFILES_H

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace svic::testing {

/// A fresh directory under the test temp dir, removed at the end.
class ScratchDir {
public:
  ScratchDir() {
    std::string Tmpl = ::testing::TempDir() + "svic-rt-XXXXXX";
    char *P = mkdtemp(Tmpl.data());
    EXPECT_NE(P, nullptr);
    Dir = Tmpl;
  }
  ~ScratchDir() { std::filesystem::remove_all(Dir); }
  std::string path(const std::string &Name) const { return Dir + "/" + Name; }
  std::string write(const std::string &Name, const std::string &Bytes) const {
    std::ofstream(path(Name), std::ios::binary) << Bytes;
    return path(Name);
  }
  const std::string &dir() const { return Dir; }

private:
  std::string Dir;
};

inline std::string readAll(const std::string &Path) {
  std::ifstream In(Path, std::ios::binary);
  std::ostringstream OS;
  OS << In.rdbuf();
  return OS.str();
}

} // namespace svic::testing

#endif
