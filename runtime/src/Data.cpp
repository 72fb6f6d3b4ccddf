//===- Data.cpp - Entry-argument data from JSON, CSV, .npy and .npz ----------===//
//
// Every error names the file (and the line or the archive member) because the
// user wrote that file, not the program.
//
//===----------------------------------------------------------------------===//

#include "svic/runtime/Engine.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>

namespace svic::runtime {

using nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string &Where, const std::string &Msg) {
  throw RuntimeError(Where + ": " + Msg);
}

std::string readFile(const std::string &Path) {
  std::ifstream In(Path, std::ios::binary);
  if (!In)
    fail(Path, std::string("cannot open: ") + std::strerror(errno));
  std::ostringstream OS;
  OS << In.rdbuf();
  if (In.bad())
    fail(Path, "read error");
  return OS.str();
}

bool endsWith(const std::string &S, const std::string &Suffix) {
  return S.size() >= Suffix.size() &&
         std::equal(Suffix.rbegin(), Suffix.rend(), S.rbegin(),
                    [](char A, char B) { return std::tolower(A) == B; });
}

std::string stemOf(const std::string &Path) {
  size_t Slash = Path.find_last_of('/');
  std::string Base = Slash == std::string::npos ? Path : Path.substr(Slash + 1);
  size_t Dot = Base.find_last_of('.');
  return Dot == std::string::npos ? Base : Base.substr(0, Dot);
}

//===-- JSON ------------------------------------------------------------------===//

/// Appends the numbers of a nested list to A; Shape is the shape of J.
void flattenJson(const json &J, std::vector<int64_t> &Shape, size_t Depth, Array &A,
                 const std::string &Where) {
  if (J.is_number() || J.is_boolean()) {
    if (Depth != Shape.size())
      fail(Where, "nested lists are not rectangular");
    A.Values.push_back(J.is_boolean() ? (J.get<bool>() ? 1.0 : 0.0) : J.get<double>());
    A.Integer &= J.is_number_integer();
    return;
  }
  if (!J.is_array())
    fail(Where, "expected a number or a list of numbers, found " + std::string(J.type_name()));
  int64_t N = static_cast<int64_t>(J.size());
  if (Depth == Shape.size()) {
    // The first element at this depth fixes the dimension, unless the
    // shape is already deeper (then the lists are ragged).
    if (!A.Values.empty())
      fail(Where, "nested lists are not rectangular");
    Shape.push_back(N);
  } else if (Shape[Depth] != N) {
    fail(Where, "nested lists are not rectangular");
  }
  for (const json &E : J)
    flattenJson(E, Shape, Depth + 1, A, Where);
}

DataSet loadJson(const std::string &Path) {
  std::string Text = readFile(Path);
  json J;
  try {
    J = json::parse(Text);
  } catch (const json::parse_error &E) {
    size_t Byte = std::min<size_t>(E.byte, Text.size());
    int64_t Line =
        1 + std::count(Text.begin(),
                       Text.begin() + static_cast<std::ptrdiff_t>(Byte ? Byte - 1 : 0), '\n');
    fail(Path + ":" + std::to_string(Line), "invalid JSON: " + std::string(E.what()));
  }
  if (!J.is_object())
    fail(Path, "expected a JSON object mapping argument names to values");
  DataSet Data;
  // A nested object is a dict argument: {"config": {"sizes": {"state": 3}}}
  // gives the entry "config.sizes.state".
  std::function<void(const json &, const std::string &)> Add = [&](const json &Obj, const std::string &Prefix) {
    for (auto It = Obj.begin(); It != Obj.end(); ++It) {
      std::string Name = Prefix + It.key();
      if (!Prefix.empty() && (It.key().empty() || It.key().find('.') != std::string::npos))
        fail(Path, "dict key '" + Name + "' is empty or contains '.', which separates the keys of a dict");
      if (It.value().is_object()) {
        Add(It.value(), Name + ".");
        continue;
      }
      Array A;
      A.Integer = true; // until an element is not an integer literal
      flattenJson(It.value(), A.Shape, 0, A, Path + ": argument '" + Name + "'");
      A.Integer &= !A.Values.empty();
      Data[Name] = std::move(A);
    }
  };
  Add(J, "");
  return Data;
}

//===-- CSV -------------------------------------------------------------------===//

std::string trim(const std::string &S) {
  size_t B = S.find_first_not_of(" \t\r");
  if (B == std::string::npos)
    return "";
  size_t E = S.find_last_not_of(" \t\r");
  std::string T = S.substr(B, E - B + 1);
  if (T.size() >= 2 && T.front() == '"' && T.back() == '"')
    T = T.substr(1, T.size() - 2);
  return T;
}

std::vector<std::string> splitFields(const std::string &Line) {
  std::vector<std::string> Fields;
  std::string Field;
  std::istringstream In(Line);
  while (std::getline(In, Field, ','))
    Fields.push_back(trim(Field));
  if (!Line.empty() && Line.back() == ',')
    Fields.push_back("");
  return Fields;
}

DataSet loadCsv(const std::string &Path) {
  std::istringstream In(readFile(Path));
  std::string Line;
  std::vector<std::string> Header;
  std::vector<std::vector<double>> Columns;
  int64_t LineNo = 0;
  while (std::getline(In, Line)) {
    ++LineNo;
    if (trim(Line).empty())
      continue;
    std::vector<std::string> Fields = splitFields(Line);
    std::string Where = Path + ":" + std::to_string(LineNo);
    if (Header.empty()) {
      for (const std::string &F : Fields) {
        if (F.empty())
          fail(Where, "empty column name in the header");
        if (std::find(Header.begin(), Header.end(), F) != Header.end())
          fail(Where, "column '" + F + "' appears twice in the header");
        Header.push_back(F);
      }
      Columns.resize(Header.size());
      continue;
    }
    if (Fields.size() != Header.size())
      fail(Where, "expected " + std::to_string(Header.size()) + " fields, found " +
                      std::to_string(Fields.size()));
    for (size_t I = 0; I < Fields.size(); ++I) {
      const char *B = Fields[I].c_str();
      char *End = nullptr;
      double V = std::strtod(B, &End);
      if (Fields[I].empty() || *End != '\0')
        fail(Where, "'" + Fields[I] + "' in column '" + Header[I] + "' is not a number");
      Columns[I].push_back(V);
    }
  }
  if (Header.empty())
    fail(Path, "empty CSV file (expected a header row)");
  DataSet Data;
  for (size_t I = 0; I < Header.size(); ++I)
    Data[Header[I]] = Array{{static_cast<int64_t>(Columns[I].size())}, std::move(Columns[I])};
  return Data;
}

//===-- NumPy -----------------------------------------------------------------===//

uint64_t readLE(const std::string &B, size_t At, int Bytes) {
  uint64_t V = 0;
  for (int I = Bytes - 1; I >= 0; --I)
    V = V << 8 | static_cast<uint8_t>(B[At + static_cast<size_t>(I)]);
  return V;
}

/// The value of 'Key' in the header dict, up to the next top-level comma.
std::string headerField(const std::string &Header, const std::string &Key,
                        const std::string &Where) {
  size_t K = Header.find("'" + Key + "'");
  if (K == std::string::npos)
    fail(Where, "the .npy header has no '" + Key + "'");
  size_t Colon = Header.find(':', K);
  if (Colon == std::string::npos)
    fail(Where, "malformed .npy header");
  size_t B = Colon + 1;
  size_t E = Header[Header.find_first_not_of(' ', B)] == '(' ? Header.find(')', B) + 1
                                                             : Header.find(',', B);
  if (E == std::string::npos || E == 0)
    fail(Where, "malformed .npy header");
  return trim(Header.substr(B, E - B));
}

/// \p B is the file, but for \p ZeroTail zero bytes after it (zipMember
/// leaves a large member's trailing zeros out).
Array parseNpy(const std::string &B, const std::string &Where, uint64_t ZeroTail = 0) {
  static const char Magic[] = "\x93NUMPY";
  if (B.size() < 10 || B.compare(0, 6, Magic, 6) != 0)
    fail(Where, "not a .npy file (bad magic)");
  int Major = static_cast<uint8_t>(B[6]);
  size_t HeaderLen, HeaderAt;
  if (Major == 1) {
    HeaderLen = readLE(B, 8, 2);
    HeaderAt = 10;
  } else if (Major == 2 || Major == 3) {
    if (B.size() < 12)
      fail(Where, "truncated .npy header");
    HeaderLen = readLE(B, 8, 4);
    HeaderAt = 12;
  } else {
    fail(Where, ".npy format version " + std::to_string(Major) + " is not supported");
  }
  if (HeaderAt + HeaderLen > B.size())
    fail(Where, "truncated .npy header");
  std::string Header = B.substr(HeaderAt, HeaderLen);
  std::string Descr = headerField(Header, "descr", Where);
  if (Descr.size() >= 2 && (Descr.front() == '\'' || Descr.front() == '"'))
    Descr = Descr.substr(1, Descr.size() - 2);
  if (headerField(Header, "fortran_order", Where) != "False")
    fail(Where, "Fortran-ordered arrays are not supported (save with C order)");
  std::string ShapeText = headerField(Header, "shape", Where);
  Array A;
  {
    std::string Inner = ShapeText.substr(1, ShapeText.size() - 2);
    std::istringstream In(Inner);
    std::string Dim;
    while (std::getline(In, Dim, ',')) {
      Dim = trim(Dim);
      if (Dim.empty())
        continue;
      char *End = nullptr;
      long long V = std::strtoll(Dim.c_str(), &End, 10);
      if (*End != '\0' || V < 0)
        fail(Where, "malformed shape " + ShapeText + " in the .npy header");
      A.Shape.push_back(V);
    }
  }
  if (Descr.size() != 3 || !(Descr[0] == '<' || Descr[0] == '|' || Descr[0] == '='))
    fail(Where, "dtype '" + Descr +
                    "' is not supported (expected little-endian f4, f8, i4, i8, u1 or b1)");
  std::string Code = Descr.substr(1);
  int Size = Code[1] - '0';
  A.Integer = Code[0] == 'i';
  if (Code != "f4" && Code != "f8" && Code != "i4" && Code != "i8" && Code != "u1" && Code != "b1")
    fail(Where, "dtype '" + Descr + "' is not supported (expected f4, f8, i4, i8, u1 or b1)");
  size_t N = static_cast<size_t>(numElements(A.Shape));
  size_t DataAt = HeaderAt + HeaderLen;
  if (B.size() - DataAt + ZeroTail < N * static_cast<size_t>(Size))
    fail(Where, "truncated .npy data: expected " + std::to_string(N * static_cast<size_t>(Size)) +
                    " bytes, found " + std::to_string(B.size() - DataAt + ZeroTail));
  // A large array's trailing zeros stay implicit (Array::Values): the
  // elements up to the last one with a non-zero byte are stored.
  size_t Stored = N;
  if (static_cast<int64_t>(N) >= ImplicitZerosFrom) {
    size_t End = std::min(B.size(), DataAt + N * static_cast<size_t>(Size));
    while (End > DataAt && B[End - 1] == 0)
      --End;
    Stored = (End - DataAt + static_cast<size_t>(Size) - 1) / static_cast<size_t>(Size);
  }
  A.Values.assign(Stored, 0.0);
  for (size_t I = 0, At = DataAt; I < Stored && At < B.size(); ++I, At += static_cast<size_t>(Size)) {
    char P[8] = {}; // an element that runs into the zero tail ends in zeros
    std::memcpy(P, B.data() + At, std::min(static_cast<size_t>(Size), B.size() - At));
    double V;
    if (Code == "f8") {
      std::memcpy(&V, P, 8);
    } else if (Code == "f4") {
      float F;
      std::memcpy(&F, P, 4);
      V = F;
    } else if (Code == "i4") {
      int32_t X;
      std::memcpy(&X, P, 4);
      V = X;
    } else if (Code == "i8") {
      int64_t X;
      std::memcpy(&X, P, 8);
      V = static_cast<double>(X);
    } else {
      V = static_cast<uint8_t>(*P);
    }
    A.Values[I] = V;
  }
  return A;
}

//===-- .npz (zip) -------------------------------------------------------------===//

struct ZipEntry {
  std::string Name;
  uint16_t Method = 0;
  uint32_t Crc = 0;
  uint64_t Compressed = 0, Uncompressed = 0, LocalOffset = 0;
};

std::vector<ZipEntry> zipDirectory(const std::string &B, const std::string &Path) {
  if (B.size() < 22)
    fail(Path, "not a zip archive (too short)");
  size_t Eocd = std::string::npos;
  for (size_t I = B.size() - 22;; --I) {
    if (readLE(B, I, 4) == 0x06054b50) {
      Eocd = I;
      break;
    }
    if (I == 0 || B.size() - I > 22 + 65535)
      break;
  }
  if (Eocd == std::string::npos)
    fail(Path, "not a zip archive (no end of central directory)");
  uint64_t Count = readLE(B, Eocd + 10, 2);
  uint64_t DirOffset = readLE(B, Eocd + 16, 4);
  if ((Count == 0xFFFF || DirOffset == 0xFFFFFFFF) && Eocd >= 20 &&
      readLE(B, Eocd - 20, 4) == 0x07064b50) {
    uint64_t Z64 = readLE(B, Eocd - 20 + 8, 8);
    if (Z64 + 56 > B.size() || readLE(B, Z64, 4) != 0x06064b50)
      fail(Path, "corrupt zip64 end of central directory");
    Count = readLE(B, Z64 + 32, 8);
    DirOffset = readLE(B, Z64 + 48, 8);
  }
  std::vector<ZipEntry> Entries;
  uint64_t At = DirOffset;
  for (uint64_t I = 0; I < Count; ++I) {
    if (At + 46 > B.size() || readLE(B, At, 4) != 0x02014b50)
      fail(Path, "corrupt zip central directory");
    ZipEntry E;
    E.Method = static_cast<uint16_t>(readLE(B, At + 10, 2));
    E.Crc = static_cast<uint32_t>(readLE(B, At + 16, 4));
    E.Compressed = readLE(B, At + 20, 4);
    E.Uncompressed = readLE(B, At + 24, 4);
    uint64_t NameLen = readLE(B, At + 28, 2), ExtraLen = readLE(B, At + 30, 2),
             CommentLen = readLE(B, At + 32, 2);
    E.LocalOffset = readLE(B, At + 42, 4);
    if (At + 46 + NameLen + ExtraLen > B.size())
      fail(Path, "corrupt zip central directory");
    E.Name = B.substr(At + 46, NameLen);
    // Zip64 extra field: the 64-bit values of the fields saturated above.
    for (uint64_t X = At + 46 + NameLen; X + 4 <= At + 46 + NameLen + ExtraLen;) {
      uint64_t Id = readLE(B, X, 2), Len = readLE(B, X + 2, 2);
      if (Id == 1) {
        uint64_t F = X + 4;
        for (uint64_t *V : {&E.Uncompressed, &E.Compressed, &E.LocalOffset})
          if (*V == 0xFFFFFFFF && F + 8 <= X + 4 + Len) {
            *V = readLE(B, F, 8);
            F += 8;
          }
      }
      X += 4 + Len;
    }
    Entries.push_back(std::move(E));
    At += 46 + NameLen + ExtraLen + CommentLen;
  }
  return Entries;
}

/// The member's bytes; a deflated member's trailing zero bytes are left out
/// and counted in \p ZeroTail, so that a large mostly-zero array (a
/// minibatch's worth of data in a data set's shape) never exists in full.
std::string zipMember(const std::string &B, const ZipEntry &E, const std::string &Where, uint64_t &ZeroTail) {
  ZeroTail = 0;
  uint64_t L = E.LocalOffset;
  if (L + 30 > B.size() || readLE(B, L, 4) != 0x04034b50)
    fail(Where, "corrupt zip local header");
  uint64_t DataAt = L + 30 + readLE(B, L + 26, 2) + readLE(B, L + 28, 2);
  if (DataAt + E.Compressed > B.size())
    fail(Where, "truncated zip member");
  std::string Out;
  if (E.Method == 0) {
    Out = B.substr(DataAt, E.Compressed);
  } else if (E.Method == 8) {
    z_stream Z{};
    if (inflateInit2(&Z, -MAX_WBITS) != Z_OK)
      fail(Where, "zlib initialisation failed");
    Z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(B.data() + DataAt));
    Z.avail_in = static_cast<uInt>(E.Compressed);
    std::string Chunk(1 << 20, '\0');
    uLong Crc = crc32(0L, Z_NULL, 0);
    int Rc = Z_OK;
    while (Rc == Z_OK) {
      Z.next_out = reinterpret_cast<Bytef *>(Chunk.data());
      Z.avail_out = static_cast<uInt>(Chunk.size());
      Rc = inflate(&Z, Z_NO_FLUSH);
      size_t Got = Chunk.size() - Z.avail_out;
      Crc = crc32(Crc, reinterpret_cast<const Bytef *>(Chunk.data()), static_cast<uInt>(Got));
      size_t NonZero = Got;
      while (NonZero > 0 && Chunk[NonZero - 1] == 0)
        --NonZero;
      if (NonZero > 0) { // the zeros before it were not trailing after all
        Out.append(static_cast<size_t>(ZeroTail), '\0');
        Out.append(Chunk, 0, NonZero);
        ZeroTail = 0;
      }
      ZeroTail += Got - NonZero;
      if (Rc == Z_OK && Got == 0 && Z.avail_in == 0)
        break;
    }
    uint64_t Produced = Z.total_out;
    inflateEnd(&Z);
    if (Rc != Z_STREAM_END || Produced != E.Uncompressed)
      fail(Where, "corrupt deflate data");
    if (Crc != E.Crc)
      fail(Where, "CRC mismatch (corrupt archive)");
    return Out;
  } else {
    fail(Where, "zip compression method " + std::to_string(E.Method) +
                    " is not supported (stored or deflate only)");
  }
  uLong Crc = crc32(0L, reinterpret_cast<const Bytef *>(Out.data()), static_cast<uInt>(Out.size()));
  if (Crc != E.Crc)
    fail(Where, "CRC mismatch (corrupt archive)");
  return Out;
}

DataSet loadNpz(const std::string &Path) {
  std::string B = readFile(Path);
  DataSet Data;
  for (const ZipEntry &E : zipDirectory(B, Path)) {
    std::string Where = Path + ": member '" + E.Name + "'";
    if (!endsWith(E.Name, ".npy"))
      fail(Where, "is not a .npy array");
    uint64_t ZeroTail = 0;
    std::string Member = zipMember(B, E, Where, ZeroTail);
    Data[E.Name.substr(0, E.Name.size() - 4)] = parseNpy(Member, Where, ZeroTail);
  }
  return Data;
}

//===-- writers -----------------------------------------------------------------===//

json nestedJson(const Array &A, size_t Depth, size_t &At) {
  if (Depth == A.Shape.size()) {
    double V = A.Values[At++];
    if (A.Integer) // integer literals read back as integer data (Array::Integer)
      return static_cast<int64_t>(V);
    return V; // nlohmann writes 1.0 for 1, and NaN and infinities as null: checked by the caller
  }
  json L = json::array();
  for (int64_t I = 0; I < A.Shape[Depth]; ++I)
    L.push_back(nestedJson(A, Depth + 1, At));
  return L;
}

std::string npyBytes(const Array &A) {
  std::string Shape = "(";
  for (int64_t D : A.Shape)
    Shape += std::to_string(D) + ",";
  if (A.Shape.size() > 1)
    Shape.pop_back(); // (3,) for rank 1, (2,3) otherwise
  Shape += ")";
  std::string Header = std::string("{'descr': '") + (A.Integer ? "<i8" : "<f8") +
                       "', 'fortran_order': False, 'shape': " + Shape + ", }";
  // Magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64.
  Header.append(63 - (10 + Header.size()) % 64, ' ');
  Header += '\n';
  std::string B("\x93NUMPY\x01\x00", 8);
  B += static_cast<char>(Header.size() & 0xFF);
  B += static_cast<char>(Header.size() >> 8);
  B += Header;
  size_t At = B.size();
  B.resize(At + A.Values.size() * 8);
  // x86-64 and aarch64: little-endian
  if (A.Integer)
    for (size_t I = 0; I < A.Values.size(); ++I) {
      int64_t V = static_cast<int64_t>(A.Values[I]);
      std::memcpy(B.data() + At + 8 * I, &V, 8);
    }
  else
    std::memcpy(B.data() + At, A.Values.data(), A.Values.size() * 8);
  return B;
}

void putLE(std::string &B, uint64_t V, int Bytes) {
  for (int I = 0; I < Bytes; ++I)
    B += static_cast<char>((V >> (8 * I)) & 0xFF);
}

/// A zip member: Bytes followed by ZeroBytes zero bytes.
struct ZipMember {
  std::string Name, Bytes;
  uint64_t ZeroBytes = 0;
};

/// Member \p M deflated as one stream, its zeros fed a block at a time.
std::string deflated(const ZipMember &M, uint32_t &Crc, const std::string &Path) {
  z_stream Z{};
  if (deflateInit2(&Z, Z_BEST_SPEED, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    fail(Path, "cannot start deflate");
  std::string Out, Zeros(size_t(1) << 20, '\0');
  char Buf[1 << 16];
  auto Feed = [&](const std::string &Block, size_t N, int Flush) {
    Crc = static_cast<uint32_t>(crc32(Crc, reinterpret_cast<const Bytef *>(Block.data()), static_cast<uInt>(N)));
    Z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(Block.data()));
    Z.avail_in = static_cast<uInt>(N);
    do {
      Z.next_out = reinterpret_cast<Bytef *>(Buf);
      Z.avail_out = sizeof(Buf);
      deflate(&Z, Flush);
      Out.append(Buf, sizeof(Buf) - Z.avail_out);
    } while (Z.avail_out == 0);
  };
  Feed(M.Bytes, M.Bytes.size(), Z_NO_FLUSH);
  for (uint64_t Left = M.ZeroBytes; Left > 0;) {
    size_t N = static_cast<size_t>(std::min<uint64_t>(Left, Zeros.size()));
    Left -= N;
    Feed(Zeros, N, Left == 0 ? Z_FINISH : Z_NO_FLUSH);
  }
  deflateEnd(&Z);
  return Out;
}

/// A zip archive (what numpy.savez writes, without zip64: members and the
/// archive stay under 4 GiB): members stored, or deflated where they end in
/// implicit zeros.
std::string zipArchive(const std::vector<ZipMember> &Members, const std::string &Path) {
  std::string Out, Dir;
  for (const ZipMember &M : Members) {
    const std::string &Name = M.Name;
    uint64_t Size = M.Bytes.size() + M.ZeroBytes;
    if (Size >= 0xFFFFFFFFu || Out.size() >= 0xFFFFFFFFu)
      fail(Path, "member '" + Name + "' is too large for a zip archive without zip64");
    uint32_t Crc = 0;
    bool Deflate = M.ZeroBytes > 0;
    std::string Body = Deflate ? deflated(M, Crc, Path) : M.Bytes;
    if (!Deflate)
      Crc = static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef *>(Body.data()), static_cast<uInt>(Body.size())));
    uint64_t Offset = Out.size();
    putLE(Out, 0x04034b50, 4);
    putLE(Out, 20, 2); // version needed
    putLE(Out, 0, 2);  // flags
    putLE(Out, Deflate ? 8 : 0, 2); // deflated or stored
    putLE(Out, 0, 4);  // time, date
    putLE(Out, Crc, 4);
    putLE(Out, Body.size(), 4);
    putLE(Out, Size, 4);
    putLE(Out, Name.size(), 2);
    putLE(Out, 0, 2);
    Out += Name;
    Out += Body;
    putLE(Dir, 0x02014b50, 4);
    putLE(Dir, 20, 2); // version made by
    putLE(Dir, 20, 2);
    putLE(Dir, 0, 2);
    putLE(Dir, Deflate ? 8 : 0, 2);
    putLE(Dir, 0, 4);
    putLE(Dir, Crc, 4);
    putLE(Dir, Body.size(), 4);
    putLE(Dir, Size, 4);
    putLE(Dir, Name.size(), 2);
    putLE(Dir, 0, 2); // extra
    putLE(Dir, 0, 2); // comment
    putLE(Dir, 0, 2); // disk
    putLE(Dir, 0, 2); // internal attributes
    putLE(Dir, 0, 4); // external attributes
    putLE(Dir, Offset, 4);
    Dir += Name;
  }
  uint64_t DirOffset = Out.size();
  Out += Dir;
  putLE(Out, 0x06054b50, 4);
  putLE(Out, 0, 4);
  putLE(Out, Members.size(), 2);
  putLE(Out, Members.size(), 2);
  putLE(Out, Dir.size(), 4);
  putLE(Out, DirOffset, 4);
  putLE(Out, 0, 2);
  return Out;
}

} // namespace

void writeData(const std::string &Path, const DataSet &Data) {
  for (const auto &[Name, A] : Data)
    if (static_cast<int64_t>(A.Values.size()) > numElements(A.Shape))
      fail(Path, "'" + Name + "' has " + std::to_string(A.Values.size()) + " values for shape " +
                     formatShape(A.Shape));
  if (endsWith(Path, ".json")) {
    json J = json::object();
    for (const auto &[Name, A] : Data) {
      if (!std::all_of(A.Values.begin(), A.Values.end(), [](double V) { return std::isfinite(V); }))
        fail(Path, "'" + Name + "' holds NaN or infinite values, which JSON cannot represent (write .npz)");
      size_t At = 0;
      Array Dense{A.Shape, denseValues(A), A.Integer};
      J[Name] = nestedJson(Dense, 0, At);
    }
    writeFileAtomically(Path, J.dump() + "\n");
    return;
  }
  if (endsWith(Path, ".npz")) {
    std::vector<ZipMember> Members;
    for (const auto &[Name, A] : Data)
      Members.push_back({Name + ".npy", npyBytes(A), uint64_t(numElements(A.Shape) - int64_t(A.Values.size())) * 8});
    writeFileAtomically(Path, zipArchive(Members, Path));
    return;
  }
  fail(Path, "unknown output format (expected .json or .npz)");
}

DataSet loadData(const std::string &Path) {
  if (endsWith(Path, ".json"))
    return loadJson(Path);
  if (endsWith(Path, ".csv"))
    return loadCsv(Path);
  if (endsWith(Path, ".npy"))
    return {{stemOf(Path), parseNpy(readFile(Path), Path)}};
  if (endsWith(Path, ".npz"))
    return loadNpz(Path);
  fail(Path, "unknown data format (expected .json, .csv, .npy or .npz)");
}

std::vector<double> denseValues(const Array &A) {
  std::vector<double> V = A.Values;
  V.resize(static_cast<size_t>(std::max<int64_t>(numElements(A.Shape), static_cast<int64_t>(V.size()))), 0.0);
  return V;
}

std::vector<double> bindInputs(const Descriptor &D, const DataSet &Data) {
  std::vector<double> Flat(static_cast<size_t>(D.DataDoubles), 0.0);
  for (const InputDesc &In : D.Inputs) {
    auto It = Data.find(In.Name);
    if (It == Data.end())
      throw RuntimeError("missing data argument '" + In.Name + "' (expected shape " +
                         formatShape(In.Shape) + ")");
    const Array &A = It->second;
    bool ScalarFromOne = In.Shape.empty() && A.Values.size() == 1;
    if (A.Shape != In.Shape && !ScalarFromOne)
      throw RuntimeError("data argument '" + In.Name + "' has shape " + formatShape(A.Shape) +
                         " but the program expects " + formatShape(In.Shape));
    if (!In.FixedAt.empty() && denseValues(A) != In.Fixed)
      throw RuntimeError("data argument '" + In.Name + "' differs from the data the program was compiled for: " +
                         In.FixedAt + " depends on its values; compile again with this data");
    // The rest of the first Read elements are implicit zeros (Flat's).
    size_t Copied = std::min(A.Values.size(), static_cast<size_t>(In.Read));
    std::copy(A.Values.begin(), A.Values.begin() + static_cast<std::ptrdiff_t>(Copied), Flat.begin() + In.Offset);
  }
  return Flat;
}

} // namespace svic::runtime
