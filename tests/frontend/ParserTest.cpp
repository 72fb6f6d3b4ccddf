//===- ParserTest.cpp - Source text to the Python AST -----------------------===//

#include "svic/frontend/Ast.h"
#include "svic/frontend/Parse.h"

#include <gtest/gtest.h>

using namespace svic;
using namespace svic::frontend;

namespace {

struct Parsed {
  SourceManager SM;
  DiagnosticEngine DE;
  std::unique_ptr<ast::Module> M;
  std::string Dump;
  std::string errors() const {
    std::string S;
    for (const Diagnostic &D : DE.sorted())
      S += std::to_string(D.Loc.Line) + ":" + std::to_string(D.Loc.Col) + ": " + D.Message + " [" +
           std::string(diagName(D.Id)) + "]\n";
    return S;
  }
};

std::unique_ptr<Parsed> parse(const std::string &Src) {
  auto P = std::make_unique<Parsed>();
  FileId F = P->SM.addFile("t.py", Src);
  P->M = parseModule(F, P->SM, P->DE);
  if (P->M)
    P->Dump = ast::dump(*P->M);
  return P;
}

#define EXPECT_PARSES(Src)                                                                         \
  do {                                                                                             \
    auto P_ = parse(Src);                                                                          \
    EXPECT_TRUE(P_->M) << (Src) << "\n" << P_->errors();                                           \
  } while (0)

#define EXPECT_DUMP_HAS(P, Text) EXPECT_NE((P)->Dump.find(Text), std::string::npos) << (P)->Dump

TEST(Parser, EveryStatementForm) {
  const char *Src = R"py(
"""Module docstring."""
import pyro
import pyro.distributions as dist
from torch.distributions import constraints
from pyro import poutine as pt, plate


def helper(x, y=2, *args, z, **kw):
    "doc"
    pass


def model(data=None):
    a = 1
    a, b = 1, 2
    (c, d) = [e, f] = g
    x += 1
    x -= 1; y *= 2
    x: int = 3
    x[0] = 1
    x.a.b = 2
    if a:
        pass
    elif b:
        pass
    else:
        pass
    for t in range(3):
        pass
    for i in pyro.plate("p", 3):
        pass
    while a < 3:
        a = a + 1
    with pyro.plate("d", 10) as i, poutine.scale(scale=2.):
        pass
    assert a, "message"
    if x: return 1
    return a
)py";
  auto P = parse(Src);
  ASSERT_TRUE(P->M) << P->errors();
  EXPECT_DUMP_HAS(P, "ImportFrom pyro import poutine as pt plate @6:1");
  EXPECT_DUMP_HAS(P, "FunctionDef helper(x, y=..., *args, z, **kw) @9:1");
  EXPECT_DUMP_HAS(P, "AugAssign += @18:5");
  EXPECT_DUMP_HAS(P, "AugAssign *= @19:13");
  EXPECT_DUMP_HAS(P, "AnnAssign @20:5");
  EXPECT_DUMP_HAS(P, "Elif @25:5");
  EXPECT_DUMP_HAS(P, "While @33:5");
  EXPECT_DUMP_HAS(P, "With @35:5");
  EXPECT_DUMP_HAS(P, "Assert @37:5");
  EXPECT_DUMP_HAS(P, "Return @39:5");
  // `(c, d) = [e, f] = g` has two targets.
  EXPECT_DUMP_HAS(P, "target: Tuple @17:5");
  EXPECT_DUMP_HAS(P, "target: List @17:14");
}

TEST(Parser, EveryExpressionForm) {
  const char *Src = R"py(x = (a + b - c * d / e // f % g ** -h @ k, not a and b or c, a if b else c,
     a < b, a <= b, a > b, a >= b, a == b, a != b, a is None, a is not None, a in b, a not in b,
     x.attr, x[1], x[1:2], x[:, ::2, ...], x[-1], x[None], f(1, k=2), [1, 2], (1,), (),
     {"a": 1}, {}, 1e-3, 0x10, 1_000, 0o7, 0b1, 3.5, .5, 5., True, False, None, "s" "t",
     ~a, +a, a & b, a | b)
)py";
  auto P = parse(Src);
  ASSERT_TRUE(P->M) << P->errors();
  EXPECT_DUMP_HAS(P, "BinOp **");
  EXPECT_DUMP_HAS(P, "BinOp @");
  EXPECT_DUMP_HAS(P, "BinOp //");
  EXPECT_DUMP_HAS(P, "BoolOp or");
  EXPECT_DUMP_HAS(P, "UnaryOp not");
  EXPECT_DUMP_HAS(P, "IfExp");
  EXPECT_DUMP_HAS(P, "Compare is not");
  EXPECT_DUMP_HAS(P, "Compare not in");
  EXPECT_DUMP_HAS(P, "Attribute .attr");
  EXPECT_DUMP_HAS(P, "Slice");
  EXPECT_DUMP_HAS(P, "index: Constant ...");
  EXPECT_DUMP_HAS(P, "keyword k: Constant int 2");
  EXPECT_DUMP_HAS(P, "Constant float 1e-3");
  EXPECT_DUMP_HAS(P, "Constant int 16");
  EXPECT_DUMP_HAS(P, "Constant int 1000");
  EXPECT_DUMP_HAS(P, "Constant int 7");
  EXPECT_DUMP_HAS(P, "Constant str \"st\"");
  EXPECT_DUMP_HAS(P, "UnaryOp ~");
  EXPECT_DUMP_HAS(P, "Dict");
}

TEST(Parser, PowerBindsTighterThanUnaryMinus) {
  auto P = parse("x = -a ** 2\n");
  ASSERT_TRUE(P->M);
  EXPECT_DUMP_HAS(P, "value: UnaryOp - @1:5\n      BinOp ** @1:6");
}

TEST(Parser, SupersetConstructsParse) {
  for (const char *Src : {"class A(B):\n    pass\n",
                          "f = lambda x: x\n",
                          "y = [x for x in z if x]\n",
                          "y = {x: 1 for x in z}\n",
                          "y = {x for x in z}\n",
                          "y = sum(x for x in z)\n",
                          "try:\n    pass\nexcept E as e:\n    pass\nfinally:\n    pass\n",
                          "global a, b\n",
                          "def f():\n    nonlocal a\n",
                          "def f():\n    yield 1\n",
                          "async def f():\n    pass\n",
                          "@dec\ndef f():\n    pass\n",
                          "f(*a, **k)\n",
                          "for i in x:\n    break\n",
                          "for i in x:\n    continue\n",
                          "if (n := 3):\n    pass\n",
                          "x = 0 < a < 1\n",
                          "x = 'z_%d' % t\n",
                          "del x\n",
                          "x = {1, 2}\n",
                          "raise ValueError('x')\n",
                          "x = 1; y = 2;\n",
                          "with a as (b, c):\n    pass\n"})
    EXPECT_PARSES(Src);
}

// Python 3.9-3.11 syntax: every file CPython 3.11 accepts parses.
TEST(Parser, Python311ConstructsParse) {
  for (const char *Src :
       {"match command.split():\n"
        "    case [action]:\n        pass\n"
        "    case [action, obj] if obj:\n        pass\n"
        "    case Point(x=0, y=0) | Point(x=1):\n        pass\n"
        "    case {'k': 1, **rest}:\n        pass\n"
        "    case (1 | 2 | -3.5 | 1+2j) as n:\n        pass\n"
        "    case [*_, 'x'] | str() | None | True:\n        pass\n"
        "    case Color.RED: return 1\n"
        "    case _:\n        pass\n",
        "def f(x):\n    match x:\n        case 1:\n            match y:\n"
        "                case 2: pass\n        case 3:\n            pass\n",
        "match = 1\nmatch.x = 2\nmatch(x)\ncase = 3\nmatch[1]: int = 2\n",
        "match (a, b):\n    case (1, 2):\n        pass\n",
        "try:\n    pass\nexcept* ValueError as e:\n    pass\n",
        "with (open(a) as f, open(b) as g,):\n    pass\n",
        "with (a, b):\n    pass\n",
        "for x in *a, *b:\n    pass\n",
        "x = a[*idx]\n",
        "def f():\n    return *a, b\n",
        "@buttons[0].clicked.connect\ndef f():\n    pass\n",
        "def f(a, /, b: int = 1, *args: str, c, d=2, **kw: float) -> list[int]:\n    pass\n",
        "f = lambda a, /, b=1, *c, d, **e: a\n",
        "x = f'{a!r:>{width}} {f\"{b}\"} {c:%Y-%m-%d}'\n",
        "y = [z := 1, z ** 2]\nprint(f(w := 3))\n",
        "async def f():\n    async with a as b:\n        pass\n"
        "    async for x in y:\n        pass\n    return [x async for x in y]\n",
        "x = 1 if y else \\\n    2\n",
        "global_: int\n",
        "class A(B, metaclass=M):\n    x: int = 1\n    def f(self): ...\n"})
    EXPECT_PARSES(Src);
}

TEST(Parser, StringForms) {
  auto P = parse(
      "a = 'x\\n' + \"y\" + r'\\d' + u'u' + b'b' + R'''r\nr''' + \"\"\"d\"\"\" + 'caf\\xe9'\n");
  ASSERT_TRUE(P->M) << P->errors();
  EXPECT_DUMP_HAS(P, "Constant str \"x\\n\"");
  EXPECT_DUMP_HAS(P, "Constant str \"\\\\d\"");
  EXPECT_DUMP_HAS(P, "Constant bytes \"b\"");
  EXPECT_DUMP_HAS(P, "Constant str \"r\\nr\"");
  EXPECT_DUMP_HAS(P, "Constant str \"café\"");
}

TEST(Parser, FStringFields) {
  auto P = parse("name = f\"z_{t}_{i + 1:02d}_{{lit}}_{x!r}\"\n");
  ASSERT_TRUE(P->M) << P->errors();
  EXPECT_DUMP_HAS(P, "FString @1:8");
  EXPECT_DUMP_HAS(P, "literal \"z_\"");
  EXPECT_DUMP_HAS(P, "Name t @1:13");
  EXPECT_DUMP_HAS(P, "field :02d");
  EXPECT_DUMP_HAS(P, "BinOp + @1:17");
  EXPECT_DUMP_HAS(P, "literal \"_{lit}_\"");
  EXPECT_DUMP_HAS(P, "field !r");
}

TEST(Parser, FStringErrors) {
  auto A = parse("x = f'{'\n");
  EXPECT_FALSE(A->M);
  EXPECT_NE(A->errors().find("f-string: expecting '}'"), std::string::npos) << A->errors();
  auto B = parse("x = f'{}'\n");
  EXPECT_NE(B->errors().find("empty expression"), std::string::npos) << B->errors();
  auto C = parse("x = f'{a b}'\n");
  EXPECT_NE(C->errors().find("invalid expression in replacement field"), std::string::npos)
      << C->errors();
}

TEST(Parser, SyntaxErrorsHavePositions) {
  auto A = parse("def f(x)\n    pass\n");
  EXPECT_EQ(A->errors(), "1:9: invalid syntax: expected ':' [frontend.syntax]\n");
  auto B = parse("x = (1,\ny = 2\n");
  EXPECT_EQ(B->errors(), "1:5: '(' was never closed [frontend.syntax]\n");
  auto C = parse("if x:\npass\n");
  EXPECT_EQ(C->errors(), "2:1: expected an indented block [frontend.indentation]\n");
  auto D = parse("x = 1\n    y = 2\n");
  EXPECT_EQ(D->errors(), "2:5: unexpected indent [frontend.indentation]\n");
  auto E = parse("x = 'abc\n");
  EXPECT_EQ(E->errors(), "1:5: unterminated string literal [frontend.syntax]\n");
  auto F = parse("x = 1 +\n");
  EXPECT_EQ(F->errors(), "1:8: invalid syntax: unexpected end of line [frontend.syntax]\n");
}

TEST(Parser, OnlyTheFirstParserErrorIsReported) {
  auto P = parse("x = = 1\ny = = 2\n");
  EXPECT_EQ(P->errors(), "1:5: invalid syntax: unexpected '=' [frontend.syntax]\n");
}

TEST(Parser, InvalidUtf8HasAPosition) {
  auto P = parse("x = 1\ny = '\xff'\n");
  EXPECT_EQ(P->errors(), "2:6: invalid UTF-8 byte 0xFF in the source; svic reads UTF-8 files "
                         "[input.encoding]\n");
}

TEST(Parser, NonAsciiColumnsAreBytes) {
  auto P = parse("s = 'é'; t = x\n");
  ASSERT_TRUE(P->M);
  EXPECT_DUMP_HAS(P, "Name x @1:15"); // 'é' is two bytes
}

TEST(Parser, ByteOrderMarkIsSkipped) {
  auto P = parse("\xEF\xBB\xBFx = 1\n");
  ASSERT_TRUE(P->M) << P->errors();
  EXPECT_DUMP_HAS(P, "Assign @1:4");
}

TEST(Parser, NoCrashOnGarbage) {
  for (const char *Src : {"",
                          "\n\n",
                          "(",
                          ")",
                          "]]]",
                          "def",
                          "def f(:",
                          "'''",
                          "\"",
                          "\\",
                          "@",
                          "\x01\x02",
                          "if:\n",
                          "else:\n",
                          "x = [\n",
                          "lambda",
                          "for in :",
                          "\t\t\tx\n y\n",
                          "f'{'",
                          "f'}'",
                          "1 2 3",
                          "class",
                          "import",
                          "from .",
                          "x = 1e",
                          "x = 0x",
                          "x = 1__0",
                          "\r\n\r",
                          "x = '''a''' '''"})
    parse(Src); // must not crash or throw
}

TEST(Parser, SourceTextOfALocation) {
  SourceManager SM;
  FileId F = SM.addFile("t.py", "x = foo(a,\n        b)\n");
  SourceLoc L{F, 1, 5, 2, 11, 0};
  EXPECT_EQ(sourceText(SM, L), "foo(a, b)");
}

} // namespace
