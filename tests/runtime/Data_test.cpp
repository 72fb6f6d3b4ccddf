// Data loading from every format, with fixtures built byte by byte here:
// .npy headers of both versions, .npz archives with stored and deflated
// members (zlib), and malformed files that must name the path.

#include "TestFiles.h"
#include "svic/runtime/Engine.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <functional>

using namespace svic::runtime;
using svic::testing::ScratchDir;
using svic::testing::readAll;

namespace {

std::string le(uint64_t V, int Bytes) {
  std::string S;
  for (int I = 0; I < Bytes; ++I)
    S.push_back(static_cast<char>((V >> (8 * I)) & 0xFF));
  return S;
}

/// A .npy file (format 1.0 or 2.0) with the given dtype, shape text and raw data.
std::string npy(const std::string &Descr, const std::string &Shape, const std::string &Raw,
                int Version = 1, const std::string &Fortran = "False") {
  std::string Dict =
      "{'descr': '" + Descr + "', 'fortran_order': " + Fortran + ", 'shape': " + Shape + ", }";
  size_t Prefix = Version == 1 ? 10 : 12;
  size_t Total = (Prefix + Dict.size() + 1 + 63) / 64 * 64;
  Dict += std::string(Total - Prefix - Dict.size() - 1, ' ') + "\n";
  return std::string("\x93NUMPY", 6) + static_cast<char>(Version) + '\0' +
         le(Dict.size(), Version == 1 ? 2 : 4) + Dict + Raw;
}

template <typename T> std::string raw(std::initializer_list<T> Vs) {
  std::string S;
  for (T V : Vs)
    S.append(reinterpret_cast<const char *>(&V), sizeof(T));
  return S;
}

/// A zip archive; Deflate selects, per member, raw deflate over stored. With
/// Zip64, sizes and offsets are saturated and carried in zip64 extra fields,
/// as Python's zipfile writes them for numpy (force_zip64).
std::string zip(const std::vector<std::pair<std::string, std::string>> &Members,
                const std::vector<bool> &Deflate, bool Zip64 = false) {
  std::string Out, Dir;
  for (size_t I = 0; I < Members.size(); ++I) {
    const auto &[Name, Data] = Members[I];
    uLong Crc =
        crc32(0, reinterpret_cast<const Bytef *>(Data.data()), static_cast<uInt>(Data.size()));
    std::string Body = Data;
    if (Deflate[I]) {
      z_stream Z{};
      deflateInit2(&Z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
      Body.resize(deflateBound(&Z, Data.size()));
      Z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(Data.data()));
      Z.avail_in = static_cast<uInt>(Data.size());
      Z.next_out = reinterpret_cast<Bytef *>(Body.data());
      Z.avail_out = static_cast<uInt>(Body.size());
      EXPECT_EQ(deflate(&Z, Z_FINISH), Z_STREAM_END);
      Body.resize(Z.total_out);
      deflateEnd(&Z);
    }
    uint16_t Method = Deflate[I] ? 8 : 0;
    size_t Offset = Out.size();
    std::string Sizes =
        Zip64 ? le(0xFFFFFFFF, 4) + le(0xFFFFFFFF, 4) : le(Body.size(), 4) + le(Data.size(), 4);
    std::string LocalExtra =
        Zip64 ? le(1, 2) + le(16, 2) + le(Data.size(), 8) + le(Body.size(), 8) : std::string();
    std::string DirExtra =
        Zip64 ? le(1, 2) + le(24, 2) + le(Data.size(), 8) + le(Body.size(), 8) + le(Offset, 8)
              : std::string();
    std::string Common =
        le(20, 2) + le(0, 2) + le(Method, 2) + le(0, 2) + le(0, 2) + le(Crc, 4) + Sizes;
    Out += le(0x04034b50, 4) + Common + le(Name.size(), 2) + le(LocalExtra.size(), 2) + Name +
           LocalExtra + Body;
    Dir += le(0x02014b50, 4) + le(20, 2) + Common + le(Name.size(), 2) + le(DirExtra.size(), 2) +
           le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(Zip64 ? 0xFFFFFFFF : Offset, 4) + Name +
           DirExtra;
  }
  size_t DirAt = Out.size();
  Out += Dir;
  Out += le(0x06054b50, 4) + le(0, 2) + le(0, 2) + le(Members.size(), 2) + le(Members.size(), 2) +
         le(Dir.size(), 4) + le(DirAt, 4) + le(0, 2);
  return Out;
}

void expectErrorMentions(const std::string &Path, const std::string &Fragment,
                         const std::function<void()> &Do = {}) {
  try {
    Do ? Do() : (void)loadData(Path);
    FAIL() << "no error for " << Path;
  } catch (const RuntimeError &E) {
    std::string Msg = E.what();
    EXPECT_EQ(Msg.rfind(Path, 0), 0u) << Msg;
    EXPECT_NE(Msg.find(Fragment), std::string::npos) << Msg;
  }
}

TEST(LoadData, JsonNumbersAndNestedLists) {
  ScratchDir D;
  std::string P = D.write(
      "d.json", R"({"n": 3, "x": [1.5, 2, -3], "m": [[1, 2, 3], [4, 5, 6]], "b": [true, false]})");
  DataSet Data = loadData(P);
  EXPECT_TRUE(Data.at("n").Shape.empty());
  EXPECT_EQ(Data.at("n").Values, std::vector<double>{3});
  EXPECT_EQ(Data.at("x").Shape, std::vector<int64_t>{3});
  EXPECT_EQ(Data.at("x").Values, (std::vector<double>{1.5, 2, -3}));
  EXPECT_EQ(Data.at("m").Shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(Data.at("m").Values[5], 6);
  EXPECT_EQ(Data.at("b").Values, (std::vector<double>{1, 0}));
  // Integer literals make integer data, as torch.tensor makes int64 of them.
  EXPECT_TRUE(Data.at("m").Integer);
  EXPECT_FALSE(Data.at("x").Integer);
  EXPECT_FALSE(Data.at("b").Integer);
}

TEST(LoadData, JsonErrorsNameThePathAndLine) {
  ScratchDir D;
  expectErrorMentions(D.write("bad.json", "{\n\"x\": [1, 2,\n}"), ":3:");
  expectErrorMentions(D.write("ragged.json", R"({"x": [[1, 2], [3]]})"), "rectangular");
  expectErrorMentions(D.write("str.json", R"({"x": "abc"})"), "'x'");
  expectErrorMentions(D.write("arr.json", "[1, 2]"), "object");
}

TEST(LoadData, CsvColumnsByHeader) {
  ScratchDir D;
  std::string P = D.write("d.csv", "x, y\r\n1,2\r\n\r\n3.5, -4e2\r\n");
  DataSet Data = loadData(P);
  EXPECT_EQ(Data.at("x").Values, (std::vector<double>{1, 3.5}));
  EXPECT_EQ(Data.at("y").Values, (std::vector<double>{2, -400}));
  EXPECT_EQ(Data.at("y").Shape, std::vector<int64_t>{2});
  expectErrorMentions(D.write("short.csv", "x,y\n1,2\n3\n"), "short.csv:3:");
  expectErrorMentions(D.write("nan.csv", "x\n1\nabc\n"), "'abc'");
  expectErrorMentions(D.write("empty.csv", ""), "header");
}

TEST(LoadData, NpyEveryDtypeAndBothVersions) {
  ScratchDir D;
  DataSet F8 = loadData(D.write("a.npy", npy("<f8", "(2, 3)", raw<double>({1, 2, 3, 4, 5, 6.5}))));
  EXPECT_EQ(F8.at("a").Shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(F8.at("a").Values[5], 6.5);
  DataSet F4 = loadData(D.write("f.npy", npy("<f4", "(2,)", raw<float>({0.25f, -1.5f}), 2)));
  EXPECT_EQ(F4.at("f").Values, (std::vector<double>{0.25, -1.5}));
  DataSet I4 = loadData(D.write("i.npy", npy("<i4", "(3,)", raw<int32_t>({-7, 0, 9}))));
  EXPECT_EQ(I4.at("i").Values, (std::vector<double>{-7, 0, 9}));
  DataSet I8 = loadData(D.write("l.npy", npy("<i8", "(1,)", raw<int64_t>({1ll << 40}))));
  EXPECT_EQ(I8.at("l").Values, std::vector<double>{1099511627776.0});
  DataSet U1 = loadData(D.write("u.npy", npy("|u1", "(2,)", raw<uint8_t>({255, 3}))));
  EXPECT_EQ(U1.at("u").Values, (std::vector<double>{255, 3}));
  DataSet B1 = loadData(D.write("b.npy", npy("|b1", "(3,)", raw<uint8_t>({1, 0, 1}))));
  EXPECT_EQ(B1.at("b").Values, (std::vector<double>{1, 0, 1}));
  EXPECT_TRUE(I4.at("i").Integer && I8.at("l").Integer);
  EXPECT_FALSE(F8.at("a").Integer || U1.at("u").Integer || B1.at("b").Integer);
  DataSet S = loadData(D.write("s.npy", npy("<f8", "()", raw<double>({4}))));
  EXPECT_TRUE(S.at("s").Shape.empty());
  EXPECT_EQ(S.at("s").Values, std::vector<double>{4});
}

TEST(LoadData, MalformedNpyNamesThePath) {
  ScratchDir D;
  expectErrorMentions(D.write("magic.npy", "PK not numpy at all"), "magic");
  std::string Good = npy("<f8", "(4,)", raw<double>({1, 2, 3, 4}));
  expectErrorMentions(D.write("trunc.npy", Good.substr(0, Good.size() - 3)), "truncated");
  expectErrorMentions(D.write("big.npy", npy(">f8", "(1,)", raw<double>({1}))), "'>f8'");
  expectErrorMentions(D.write("c16.npy", npy("<c16", "(1,)", std::string(16, '\0'))),
                      "not supported");
  expectErrorMentions(D.write("fort.npy", npy("<f8", "(1,)", raw<double>({1}), 1, "True")),
                      "Fortran");
  expectErrorMentions(D.write("short.npy", std::string("\x93NUMPY\x01\x00\xff\x00", 10)),
                      "truncated");
}

TEST(LoadData, NpzStoredAndDeflatedMembers) {
  ScratchDir D;
  std::string X = npy("<f8", "(3,)", raw<double>({1, 2, 3}));
  std::string N = npy("<i8", "()", raw<int64_t>({170}));
  std::vector<double> Long(1000);
  for (size_t I = 0; I < Long.size(); ++I)
    Long[I] = static_cast<double>(I % 7);
  std::string LongRaw(reinterpret_cast<const char *>(Long.data()), Long.size() * 8);
  std::string L = npy("<f8", "(1000,)", LongRaw);
  std::string P =
      D.write("d.npz", zip({{"x.npy", X}, {"n.npy", N}, {"long.npy", L}}, {false, true, true}));
  DataSet Data = loadData(P);
  EXPECT_EQ(Data.at("x").Values, (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(Data.at("n").Values, std::vector<double>{170});
  EXPECT_EQ(Data.at("long").Values, Long);
  DataSet Z64 =
      loadData(D.write("z64.npz", zip({{"x.npy", X}, {"n.npy", N}}, {true, false}, true)));
  EXPECT_EQ(Z64.at("x").Values, (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(Z64.at("n").Values, std::vector<double>{170});
}

TEST(LoadData, MalformedNpzNamesThePathAndMember) {
  ScratchDir D;
  std::string X = npy("<f8", "(3,)", raw<double>({1, 2, 3}));
  std::string Good = zip({{"x.npy", X}}, {true});
  expectErrorMentions(D.write("notzip.npz", "hello world, this is not a zip archive"), "zip");
  std::string Corrupt = Good;
  Corrupt[40] = static_cast<char>(Corrupt[40] ^ 0x5A); // inside the deflate stream
  expectErrorMentions(D.write("corrupt.npz", Corrupt), "'x.npy'");
  expectErrorMentions(D.write("txt.npz", zip({{"notes.txt", "hi"}}, {false})), "'notes.txt'");
  expectErrorMentions(D.write("x.parquet", "x"), "unknown data format");
  expectErrorMentions(D.path("missing.json"), "cannot open");
}

} // namespace

TEST(WriteData, JsonAndNpzRoundTrip) {
  ScratchDir D;
  DataSet In;
  In["scalar"] = {{}, {2.5}};
  In["ints"] = {{3}, {0, 1, -7}, /*Integer=*/true};
  In["integral"] = {{2}, {4, -1}};
  In["matrix"] = {{2, 3}, {1e-300, -2, 3.25, 4, 5, 6}};
  In["enc$$$fc1.weight"] = {{1, 2}, {0.1, 0.2}};
  for (const char *Name : {"d.json", "d.npz"}) {
    writeData(D.path(Name), In);
    DataSet Out = loadData(D.path(Name));
    ASSERT_EQ(Out.size(), In.size()) << Name;
    for (const auto &[K, A] : In) {
      EXPECT_EQ(Out.at(K).Shape, A.Shape) << Name << " " << K;
      EXPECT_EQ(Out.at(K).Values, A.Values) << Name << " " << K;
      EXPECT_EQ(Out.at(K).Integer, A.Integer) << Name << " " << K;
    }
  }
  // Integer data as JSON integers, integral floats as floats.
  EXPECT_NE(readAll(D.path("d.json")).find("\"ints\":[0,1,-7]"), std::string::npos);
  EXPECT_NE(readAll(D.path("d.json")).find("\"integral\":[4.0,-1.0]"), std::string::npos);
}

// svic simulate's air data: a large array whose trailing zeros are implicit
// is written in its whole shape (deflated, so the zeros cost neither memory
// nor disk) and loads back with the same prefix; JSON writes the zeros out.
TEST(WriteData, ImplicitTrailingZerosStayImplicit) {
  ScratchDir D;
  DataSet In;
  In["big"] = {{4096, 512}, {1.5, -2, 0, 7}}; // 2^21 elements
  In["small"] = {{2, 2}, {1, 2}};
  writeData(D.path("z.npz"), In);
  EXPECT_LT(readAll(D.path("z.npz")).size(), (size_t(16) << 20) / 100); // 16 MB of float64 zeros
  DataSet Out = loadData(D.path("z.npz"));
  EXPECT_EQ(Out.at("big").Shape, In["big"].Shape);
  EXPECT_EQ(denseValues(Out.at("big")), denseValues(In["big"]));
  EXPECT_EQ(Out.at("small").Values, (std::vector<double>{1, 2, 0, 0}));
  writeData(D.path("z.json"), {{"small", In["small"]}});
  EXPECT_EQ(loadData(D.path("z.json")).at("small").Values, (std::vector<double>{1, 2, 0, 0}));
}

TEST(WriteData, RefusesWhatItCannotWrite) {
  ScratchDir D;
  DataSet NaN;
  NaN["x"] = {{1}, {std::nan("")}};
  expectErrorMentions(D.path("n.json"), "'x'", [&] { writeData(D.path("n.json"), NaN); });
  writeData(D.path("n.npz"), NaN); // .npz keeps NaN
  EXPECT_TRUE(std::isnan(loadData(D.path("n.npz")).at("x").Values[0]));
  expectErrorMentions(D.path("o.txt"), "expected .json or .npz", [&] { writeData(D.path("o.txt"), NaN); });
}

TEST(LoadData, JsonObjectsAreDictArgumentsWithDottedNames) {
  ScratchDir D;
  DataSet Data = loadData(D.write("d.json", R"({"config": {"sizes": {"state": 3}, "mask": [1, 0]}, "enc$$$0.weight": 2})"));
  EXPECT_EQ(Data.at("config.sizes.state").Values, std::vector<double>{3});
  EXPECT_EQ(Data.at("config.mask").Shape, std::vector<int64_t>{2});
  EXPECT_EQ(Data.at("enc$$$0.weight").Values, std::vector<double>{2}); // a top-level name keeps its dots
  expectErrorMentions(D.write("dot.json", R"({"config": {"a.b": 1}})"), "'config.a.b'");
}
