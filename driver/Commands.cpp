//===- Commands.cpp - The `svic` subcommands -------------------------------===//

#include "Commands.h"
#include "Options.h"
#include "Pipeline.h"
#include "Report.h"

#include "svic/ir/Printer.h"

#include <boost/program_options.hpp>

#include <algorithm>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <unistd.h>

namespace po = boost::program_options;

namespace svic::driver {

namespace {

enum class Format { Text, Json, Sarif };

struct CommonOptions {
  InputOptions Input;
  std::string FormatName = "text";
  std::string Output;
  bool Help = false;
};

void addInputOptions(po::options_description &Desc, CommonOptions &O) {
  Desc.add_options()("help,h", po::bool_switch(&O.Help), "show this help")(
      "guide", po::value(&O.Input.GuidePath), "file holding the guide (default: the model file)")(
      "model-fn", po::value(&O.Input.Entries.ModelFn),
      "model entry function (default: model, else the one SVI, NUTS or HMC runs, else main)")(
      "guide-fn", po::value(&O.Input.Entries.GuideFn),
      "guide entry function (default: guide, else main in a separate guide file)")(
      "format", po::value(&O.FormatName), "output format")(
      "output,o", po::value(&O.Output), "write the report to this file instead of stdout");
}

std::optional<Format> parseFormat(const std::string &Name, bool AllowSarif) {
  if (Name == "text")
    return Format::Text;
  if (Name == "json")
    return Format::Json;
  if (Name == "sarif" && AllowSarif)
    return Format::Sarif;
  std::cerr << "svic: error: unknown format '" << Name << "' (expected text, json"
            << (AllowSarif ? ", sarif" : "") << ")\n";
  return std::nullopt;
}

bool colorOn(int Fd) { return isatty(Fd) && !std::getenv("NO_COLOR"); }

/// Writes \p Text to \p Path through a temporary file and a rename, so a
/// reader never sees half a report.
bool writeOutput(const std::string &Path, const std::string &Text) {
  if (Path.empty() || Path == "-") {
    std::cout << Text;
    return bool(std::cout);
  }
  std::string Tmp = Path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream Out(Tmp, std::ios::binary | std::ios::trunc);
    Out << Text;
    if (!Out.flush()) {
      std::cerr << "svic: error: cannot write '" << Path << "'\n";
      std::remove(Tmp.c_str());
      return false;
    }
  }
  if (std::rename(Tmp.c_str(), Path.c_str()) != 0) {
    std::cerr << "svic: error: cannot write '" << Path << "'\n";
    std::remove(Tmp.c_str());
    return false;
  }
  return true;
}

void printDiagnostics(const DiagnosticEngine &DE, const SourceManager &SM) {
  bool Color = colorOn(STDERR_FILENO);
  for (const Diagnostic &D : DE.sorted())
    std::cerr << renderText(D, SM, Color);
}

std::optional<std::vector<analysis::Property>> parseProperties(const std::string &List) {
  std::vector<analysis::Property> Props;
  std::string Rest = List;
  while (!Rest.empty()) {
    size_t Comma = Rest.find(',');
    std::string Item = Rest.substr(0, Comma);
    Rest = Comma == std::string::npos ? "" : Rest.substr(Comma + 1);
    std::optional<analysis::Property> P;
    for (analysis::Property Cand :
         {analysis::Property::Diff, analysis::Property::Lips, analysis::Property::Cont})
      if (analysis::propertyName(Cand) == Item)
        P = Cand;
    if (!P) {
      std::cerr << "svic: error: unknown property '" << Item << "' (expected diff, lips, cont)\n";
      return std::nullopt;
    }
    if (std::find(Props.begin(), Props.end(), *P) == Props.end())
      Props.push_back(*P);
  }
  if (Props.empty()) {
    std::cerr << "svic: error: --property needs at least one of diff, lips, cont\n";
    return std::nullopt;
  }
  std::sort(Props.begin(), Props.end());
  return Props;
}

} // namespace

int runParse(const std::vector<std::string> &Args) {
  CommonOptions O;
  po::options_description Desc("usage: svic parse FILE\n\n"
                               "Checks that FILE is valid Python 3.11 (syntax only: nothing is "
                               "resolved or analysed).\nExit 0 when it parses, 2 with the located "
                               "syntax error otherwise.\n\noptions");
  Desc.add_options()("help,h", po::bool_switch(&O.Help), "show this help");
  po::variables_map VM;
  if (!parseCommandLine(Args, Desc, O.Input.ModelPath, O.Help, VM))
    return ExitBadInput;
  if (O.Help) {
    std::cout << Desc;
    return ExitOk;
  }
  SourceManager SM;
  DiagnosticEngine DE;
  bool Ok = frontend::checkSyntax(O.Input.ModelPath, SM, DE);
  printDiagnostics(DE, SM);
  return Ok ? ExitOk : ExitBadInput;
}

int runSites(const std::vector<std::string> &Args) {
  CommonOptions O;
  po::options_description Desc("usage: svic sites FILE [options]\n\n"
                               "Lists the sample, observe, param, factor and plate sites of the "
                               "model and guide.\n\noptions");
  addInputOptions(Desc, O);
  po::variables_map VM;
  if (!parseCommandLine(Args, Desc, O.Input.ModelPath, O.Help, VM))
    return ExitBadInput;
  if (O.Help) {
    std::cout << Desc << "\nformats: text (default), json\n";
    return ExitOk;
  }
  std::optional<Format> Fmt = parseFormat(O.FormatName, /*AllowSarif=*/false);
  if (!Fmt)
    return ExitBadInput;

  SourceManager SM;
  DiagnosticEngine DE;
  std::optional<AnalysisRun> Run = loadAndInventory(O.Input, SM, DE);
  printDiagnostics(DE, SM);
  std::string Text = *Fmt == Format::Json
                         ? sitesJson(Run ? &*Run : nullptr, DE.sorted(), SM).dump(2) + "\n"
                         : (Run ? renderSitesText(*Run, SM) : "");
  if (!writeOutput(O.Output, Text))
    return ExitBadInput;
  return Run ? ExitOk : ExitBadInput;
}

/// Reads a --data file; nullopt (after a message) when it cannot be read.
static std::optional<runtime::DataSet> readData(const std::string &Path) {
  try {
    return runtime::loadData(Path);
  } catch (const runtime::RuntimeError &E) {
    std::cerr << "svic: error: " << E.what() << "\n";
    return std::nullopt;
  }
}

/// Binds the entry inputs \p Data names (bindInputData).
static void bindData(AnalysisRun &Run, const runtime::DataSet &Data, const std::string &Path) {
  std::set<std::string> Used;
  for (ir::Program *P : {Run.Programs.Model.get(), Run.Programs.Guide.get()})
    if (P)
      for (std::string &N : bindInputData(*P, Data))
        Used.insert(std::move(N));
  for (const auto &[Name, A] : Data)
    if (!Used.count(Name))
      std::cerr << "svic: warning: " << Path << ": '" << Name
                << "' is not an argument of the model or guide entry function; ignored\n";
}

int runAnalyze(const std::vector<std::string> &Args) {
  CommonOptions O;
  std::string PropertyList = "diff,lips,cont";
  bool DumpAst = false, DumpIr = false, Werror = false;
  std::string DataPath;
  po::options_description Desc(
      "usage: svic analyze FILE [options]\n\n"
      "Proves where the model and guide densities are smooth, checks that their supports "
      "match,\nand selects the guide latents that may be reparameterised.\n\noptions");
  addInputOptions(Desc, O);
  Desc.add_options()("property", po::value(&PropertyList),
                     "properties to analyse: any of diff,lips,cont (default: all)")(
      "werror", po::bool_switch(&Werror),
      "exit 1 when a definite problem is found (support mismatch, shape error)")(
      "dump-ast", po::bool_switch(&DumpAst), "print the parsed syntax tree and stop")(
      "dump-ir", po::bool_switch(&DumpIr), "print the core IR and stop")(
      "data", po::value(&DataPath),
      "data file (JSON, CSV, .npy/.npz, as for svic grad): the shapes and values of the "
      "entry arguments it names");
  po::variables_map VM;
  if (!parseCommandLine(Args, Desc, O.Input.ModelPath, O.Help, VM))
    return ExitBadInput;
  if (O.Help) {
    std::cout << Desc << "\nformats: text (default), json (schema version " << SchemaVersion
              << "), sarif (2.1.0)\n";
    return ExitOk;
  }
  std::optional<Format> Fmt = parseFormat(O.FormatName, /*AllowSarif=*/true);
  std::optional<std::vector<analysis::Property>> Props = parseProperties(PropertyList);
  if (!Fmt || !Props)
    return ExitBadInput;

  SourceManager SM;
  DiagnosticEngine DE;
  if (DumpAst) {
    std::optional<std::string> Ast = frontend::dumpAst(O.Input.ModelPath, SM, DE);
    printDiagnostics(DE, SM);
    if (!Ast)
      return ExitBadInput;
    return writeOutput(O.Output, *Ast) ? ExitOk : ExitBadInput;
  }

  // The entry parameters the data gives override their defaults.
  std::optional<runtime::DataSet> Data;
  if (!DataPath.empty()) {
    if (!(Data = readData(DataPath)))
      return ExitBadInput;
    for (const auto &[Name, A] : *Data)
      O.Input.Entries.GivenInputs.insert(Name);
  }
  std::optional<AnalysisRun> Run = loadAndInventory(O.Input, SM, DE);
  if (Run && Data)
    bindData(*Run, *Data, DataPath);
  if (!Run || DumpIr) {
    printDiagnostics(DE, SM);
    if (!Run) {
      if (*Fmt == Format::Json)
        writeOutput(O.Output, analyzeJson(nullptr, DE.sorted(), SM).dump(2) + "\n");
      else if (*Fmt == Format::Sarif)
        writeOutput(O.Output, sarifLog(DE.sorted(), SM).dump(2) + "\n");
      return ExitBadInput;
    }
    std::string Text;
    for (const ProgramFacts &F : Run->Facts)
      Text += ir::printProgram(*F.Prog, SM);
    return writeOutput(O.Output, Text) ? ExitOk : ExitBadInput;
  }

  runAnalyses(*Run, *Props, SM);
  std::vector<Diagnostic> Diags = DE.sorted();
  for (Diagnostic &D : analysisDiagnostics(*Run, SM))
    Diags.push_back(std::move(D));
  std::string Text;
  switch (*Fmt) {
  case Format::Text:
    Text = renderAnalyzeText(*Run, Diags, SM, O.Output.empty() && colorOn(STDOUT_FILENO));
    break;
  case Format::Json:
    Text = analyzeJson(&*Run, Diags, SM).dump(2) + "\n";
    break;
  case Format::Sarif:
    Text = sarifLog(Diags, SM).dump(2) + "\n";
    break;
  }
  if (!writeOutput(O.Output, Text))
    return ExitBadInput;
  bool Definite = std::any_of(Diags.begin(), Diags.end(),
                              [](const Diagnostic &D) { return D.Sev == Severity::Error; });
  return Werror && Definite ? ExitProblem : ExitOk;
}

} // namespace svic::driver
