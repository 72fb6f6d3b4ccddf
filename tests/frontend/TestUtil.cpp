#include "TestUtil.h"

#include "svic/ir/Printer.h"

#include <sstream>

namespace svic::test {

std::string Lowered::diags() const {
  std::string Out;
  for (const Diagnostic &D : DE.sorted()) {
    if (D.Loc.valid())
      Out += std::to_string(D.Loc.Line) + ":" + std::to_string(D.Loc.Col) + ": ";
    Out += D.Message + " [" + std::string(diagName(D.Id)) + "]\n";
  }
  return Out;
}

static std::string withoutHeader(const std::string &Ir) {
  // Drop "model main (path)" and "inputs: ..." lines.
  size_t First = Ir.find('\n');
  size_t Second = First == std::string::npos ? First : Ir.find('\n', First + 1);
  return Second == std::string::npos ? "" : Ir.substr(Second + 1);
}

std::string Lowered::modelIr() const { return withoutHeader(ir::printProgram(model(), SM)); }
std::string Lowered::guideIr() const { return withoutHeader(ir::printProgram(guide(), SM)); }

std::unique_ptr<Lowered> lower(const std::string &Source, frontend::EntryNames Names,
                               const std::string &GuideSource) {
  auto L = std::make_unique<Lowered>();
  L->Programs = frontend::loadProgramsFromText(
      "test.py", Source, GuideSource.empty() ? "" : "guide.py", GuideSource, Names, L->SM, L->DE);
  return L;
}

std::string inModel(const std::string &Body, const std::string &Params) {
  std::string Out = "import pyro\nimport pyro.distributions as dist\nimport torch\n"
                    "import torch.nn as nn\nimport torch.nn.functional as F\n"
                    "from torch.distributions import constraints\n\n\ndef model(" +
                    Params + "):\n";
  std::istringstream In(Body);
  std::string Line;
  while (std::getline(In, Line))
    Out += (Line.empty() ? "" : "    " + Line) + "\n";
  return Out;
}

std::string firstError(const std::string &Source) {
  auto L = lower(Source);
  for (const Diagnostic &D : L->DE.sorted())
    if (D.Sev == Severity::Error)
      return (D.Loc.valid() ? std::to_string(D.Loc.Line) + ":" + std::to_string(D.Loc.Col) + ": "
                            : std::string()) +
             D.Message + " [" + std::string(diagName(D.Id)) + "]";
  return "<no error>";
}

} // namespace svic::test
