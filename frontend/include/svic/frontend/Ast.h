//===- Ast.h - The small Python AST of the svic frontend --------------------===//
///
/// \file
/// The parse tree is turned into this AST first, so that lowering to the IR
/// never sees ANTLR. It mirrors Python's own `ast` module, restricted to what
/// the grammar reads: every node carries a SourceLoc (1-based line and byte
/// column, plus the end). Constructs outside the svic subset are kept as
/// nodes (Unsupported expressions and statements naming the construct, or
/// ordinary nodes such as Set or a chained Compare) so that lowering reports
/// each one with a precise message and location instead of a syntax error.
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/ir/Source.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace svic::frontend::ast {

//===-- Expressions -----------------------------------------------------------===//

enum class ExprKind {
  Name,
  Constant,
  FString,
  Attribute,
  Subscript,
  Slice,
  Call,
  BinOp,
  UnaryOp,
  BoolOp,
  Compare,
  IfExp,
  Tuple,
  List,
  Set,
  Dict,
  Starred,
  Lambda,      ///< `lambda params: body`, held as a FunctionDef returning body
  Comp,        ///< list, set and dict comprehensions and generator expressions
  Unsupported, ///< async comprehensions, walrus, yield, await (named in What)
};

struct Expr {
  const ExprKind Kind;
  SourceLoc Loc;
  explicit Expr(ExprKind K) : Kind(K) {}
  virtual ~Expr() = default;
};
using ExprPtr = std::unique_ptr<Expr>;

struct Name : Expr {
  std::string Id;
  Name() : Expr(ExprKind::Name) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Name; }
};

struct Constant : Expr {
  enum class Type { None, True, False, Int, Float, Imaginary, Str, Bytes, Ellipsis };
  Type Ty = Type::None;
  int64_t Int = 0;
  double Float = 0;
  std::string Str;       ///< decoded value of a Str/Bytes; the source spelling of a number
  bool Overflow = false; ///< an integer literal beyond int64 (kept as Float)
  Constant() : Expr(ExprKind::Constant) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Constant; }
};

/// An f-string (possibly concatenated with plain strings).
struct FString : Expr {
  struct Part {
    bool IsField = false;
    std::string Text;       ///< literal text (decoded), or the field's source text
    ExprPtr Value;          ///< the field's expression
    std::string Conversion; ///< "r", "s", "a" or empty
    std::string FormatSpec; ///< text after ':' or empty
    SourceLoc Loc;
  };
  std::vector<Part> Parts;
  FString() : Expr(ExprKind::FString) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::FString; }
};

struct Attribute : Expr {
  ExprPtr Value;
  std::string Attr;
  Attribute() : Expr(ExprKind::Attribute) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Attribute; }
};

/// `Value[i]`, `Value[i, j:k]`: one entry per comma-separated index.
struct Subscript : Expr {
  ExprPtr Value;
  std::vector<ExprPtr> Indices;
  bool TrailingComma = false; ///< `x[i,]`
  Subscript() : Expr(ExprKind::Subscript) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Subscript; }
};

struct Slice : Expr {
  ExprPtr Lower, Upper, Step; ///< each may be null
  Slice() : Expr(ExprKind::Slice) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Slice; }
};

struct Arg {
  enum class Kind { Positional, Keyword, Star, DoubleStar };
  Kind K = Kind::Positional;
  std::string Name; ///< Keyword only
  ExprPtr Value;
  SourceLoc Loc;
};

struct Call : Expr {
  ExprPtr Func;
  std::vector<Arg> Args;
  Call() : Expr(ExprKind::Call) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Call; }
};

enum class BinOpKind {
  Add,
  Sub,
  Mult,
  MatMult,
  Div,
  FloorDiv,
  Mod,
  Pow,
  LShift,
  RShift,
  BitOr,
  BitXor,
  BitAnd
};
const char *binOpSpelling(BinOpKind Op);

struct BinOp : Expr {
  BinOpKind Op = BinOpKind::Add;
  ExprPtr Left, Right;
  BinOp() : Expr(ExprKind::BinOp) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::BinOp; }
};

enum class UnaryOpKind { UAdd, USub, Not, Invert };
const char *unaryOpSpelling(UnaryOpKind Op);

struct UnaryOp : Expr {
  UnaryOpKind Op = UnaryOpKind::USub;
  ExprPtr Operand;
  UnaryOp() : Expr(ExprKind::UnaryOp) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::UnaryOp; }
};

/// `a and b and c`: Values has every operand.
struct BoolOp : Expr {
  bool IsAnd = true;
  std::vector<ExprPtr> Values;
  BoolOp() : Expr(ExprKind::BoolOp) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::BoolOp; }
};

enum class CmpOpKind { Eq, NotEq, Lt, LtE, Gt, GtE, Is, IsNot, In, NotIn };
const char *cmpOpSpelling(CmpOpKind Op);

/// `a < b`; a chained comparison `a < b < c` has several Ops.
struct Compare : Expr {
  ExprPtr Left;
  std::vector<CmpOpKind> Ops;
  std::vector<ExprPtr> Comparators;
  Compare() : Expr(ExprKind::Compare) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Compare; }
};

struct IfExp : Expr {
  ExprPtr Test, Body, OrElse;
  IfExp() : Expr(ExprKind::IfExp) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::IfExp; }
};

/// Tuple, List and Set displays.
struct Sequence : Expr {
  std::vector<ExprPtr> Elts;
  explicit Sequence(ExprKind K) : Expr(K) {}
  static bool classof(const Expr *E) {
    return E->Kind == ExprKind::Tuple || E->Kind == ExprKind::List || E->Kind == ExprKind::Set;
  }
};

/// `{k: v, **d}`: a null key marks a `**d` entry.
struct Dict : Expr {
  std::vector<ExprPtr> Keys, Values;
  Dict() : Expr(ExprKind::Dict) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Dict; }
};

/// One `for Target in Iter if Ifs...` clause of a comprehension.
struct CompFor {
  ExprPtr Target, Iter;
  std::vector<ExprPtr> Ifs;
};

/// `[Elt for ...]`, `{Elt for ...}`, `{Elt: Value for ...}` and `(Elt for ...)`;
/// the clauses nest left to right, as in Python. Async comprehensions are
/// Unsupported nodes.
struct Comp : Expr {
  enum class Form { List, Set, Dict, Generator } F = Form::List;
  ExprPtr Elt;   ///< Dict: the key
  ExprPtr Value; ///< Dict only
  std::vector<CompFor> Fors;
  Comp() : Expr(ExprKind::Comp) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Comp; }
};

struct Starred : Expr {
  ExprPtr Value;
  Starred() : Expr(ExprKind::Starred) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Starred; }
};

/// A construct the grammar reads but svic does not support, e.g. "lambda
/// expressions"; Children are kept for the AST dump only.
struct Unsupported : Expr {
  std::string What; ///< the construct, plural, as used in messages
  std::string Hint; ///< the alternative to suggest, may be empty
  std::vector<ExprPtr> Children;
  Unsupported() : Expr(ExprKind::Unsupported) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Unsupported; }
};

//===-- Statements ------------------------------------------------------------===//

enum class StmtKind {
  Expr,
  Assign,
  AugAssign,
  AnnAssign,
  If,
  For,
  While,
  With,
  FunctionDef,
  ClassDef,
  Try,
  Return,
  Pass,
  Assert,
  Import,
  ImportFrom,
  Unsupported, ///< global, nonlocal, del, raise, break, continue, async, match
};

struct Stmt {
  const StmtKind Kind;
  SourceLoc Loc;
  explicit Stmt(StmtKind K) : Kind(K) {}
  virtual ~Stmt() = default;
};
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

struct ExprStmt : Stmt {
  ExprPtr Value;
  ExprStmt() : Stmt(StmtKind::Expr) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::Expr; }
};

/// `t1 = t2 = value`
struct Assign : Stmt {
  std::vector<ExprPtr> Targets;
  ExprPtr Value;
  Assign() : Stmt(StmtKind::Assign) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::Assign; }
};

struct AugAssign : Stmt {
  ExprPtr Target;
  BinOpKind Op = BinOpKind::Add;
  ExprPtr Value;
  AugAssign() : Stmt(StmtKind::AugAssign) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::AugAssign; }
};

/// `target: annotation [= value]`
struct AnnAssign : Stmt {
  ExprPtr Target, Annotation, Value;
  AnnAssign() : Stmt(StmtKind::AnnAssign) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::AnnAssign; }
};

/// `elif` is an If alone in OrElse.
struct If : Stmt {
  ExprPtr Test;
  Body Then, OrElse;
  bool IsElif = false; ///< this If came from an `elif`
  If() : Stmt(StmtKind::If) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::If; }
};

struct For : Stmt {
  ExprPtr Target, Iter;
  Body Loop, OrElse;
  For() : Stmt(StmtKind::For) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::For; }
};

struct While : Stmt {
  ExprPtr Test;
  Body Loop, OrElse;
  While() : Stmt(StmtKind::While) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::While; }
};

struct WithItem {
  ExprPtr Context;
  ExprPtr Var; ///< `as` target, may be null
};

struct With : Stmt {
  std::vector<WithItem> Items;
  Body Inner;
  With() : Stmt(StmtKind::With) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::With; }
};

struct Param {
  enum class Kind { Normal, VarArgs, KwOnlyMarker, VarKeywords, PosOnlyMarker };
  Kind K = Kind::Normal;
  std::string Name;
  ExprPtr Default; ///< may be null
  SourceLoc Loc;
};

struct FunctionDef : Stmt {
  std::string Name;
  std::vector<Param> Params;
  Body Inner;
  std::vector<ExprPtr> Decorators;
  bool IsAsync = false;
  FunctionDef() : Stmt(StmtKind::FunctionDef) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::FunctionDef; }
};

/// `lambda params: body`: Fn is the equivalent `def <lambda>(params): return body`.
struct Lambda : Expr {
  std::unique_ptr<FunctionDef> Fn;
  Lambda() : Expr(ExprKind::Lambda) {}
  static bool classof(const Expr *E) { return E->Kind == ExprKind::Lambda; }
};

/// `class Name(Bases..., Keywords...): Inner`
struct ClassDef : Stmt {
  std::string Name;
  std::vector<ExprPtr> Bases;
  std::vector<Arg> Keywords; ///< `metaclass=...`, `**kw`
  Body Inner;
  std::vector<ExprPtr> Decorators;
  ClassDef() : Stmt(StmtKind::ClassDef) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::ClassDef; }
};

/// `try: Inner except Type as Name: ... else: OrElse finally: Finally`
struct Try : Stmt {
  struct Handler {
    ExprPtr Type; ///< may be null (a bare `except:`)
    std::string Name;
    Body Inner;
    SourceLoc Loc;
  };
  Body Inner;
  std::vector<Handler> Handlers;
  Body OrElse, Finally;
  bool Star = false; ///< `except*`
  Try() : Stmt(StmtKind::Try) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::Try; }
};

struct Return : Stmt {
  ExprPtr Value; ///< may be null
  Return() : Stmt(StmtKind::Return) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::Return; }
};

struct Pass : Stmt {
  Pass() : Stmt(StmtKind::Pass) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::Pass; }
};

struct Assert : Stmt {
  ExprPtr Test, Msg; ///< Msg may be null
  Assert() : Stmt(StmtKind::Assert) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::Assert; }
};

struct Alias {
  std::string Name;   ///< dotted module name, or the imported name; "*" for a star import
  std::string AsName; ///< empty when absent
  SourceLoc Loc;
};

struct Import : Stmt {
  std::vector<Alias> Names;
  Import() : Stmt(StmtKind::Import) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::Import; }
};

struct ImportFrom : Stmt {
  std::string Module; ///< dotted, may be empty for `from . import x`
  int Level = 0;      ///< number of leading dots (relative import)
  std::vector<Alias> Names;
  ImportFrom() : Stmt(StmtKind::ImportFrom) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::ImportFrom; }
};

struct UnsupportedStmt : Stmt {
  std::string What; ///< e.g. "class definitions"
  std::string Hint;
  std::vector<std::string> Names; ///< the names of a global/nonlocal statement
  UnsupportedStmt() : Stmt(StmtKind::Unsupported) {}
  static bool classof(const Stmt *S) { return S->Kind == StmtKind::Unsupported; }
};

struct Module {
  FileId File = 0;
  Body Stmts;
};

/// A non-owning reference to a callable taking an Expr &. The AST walks call
/// forEachChild once per node with a lambda capturing several references,
/// which std::function would copy to the heap every time.
class ExprVisitorRef {
public:
  template <typename F,
            typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, ExprVisitorRef>>>
  ExprVisitorRef(F &&Fn)
      : Obj(const_cast<void *>(static_cast<const void *>(&Fn))),
        Call([](void *O, Expr &E) { (*static_cast<std::remove_reference_t<F> *>(O))(E); }) {}
  void operator()(Expr &E) const { Call(Obj, E); }

private:
  void *Obj;
  void (*Call)(void *, Expr &);
};

/// Calls \p F on every direct child expression of \p E, in source order
/// (FString fields, call arguments, dict keys and values included).
void forEachChild(Expr &E, ExprVisitorRef F);

/// The readable `--dump-ast` form: one node per line, indented, `@line:col`.
std::string dump(const Module &M);
std::string dump(const Expr &E);

/// Every field of every node, with full locations: two trees are equal iff
/// their exact dumps are (the hand-written and the ANTLR parser must agree).
std::string dumpExact(const Module &M);

} // namespace svic::frontend::ast
