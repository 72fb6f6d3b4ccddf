//===- FastParse.cpp - Hand-written parser for the common case --------------===//
///
/// \file
/// Each function below parses one rule of PyroParser.g4 (named in its
/// comment) and builds what Parse.cpp's Builder builds from that rule's
/// context: a node's location spans the tokens its rule context spans. The
/// operator levels follow ANTLR's rewriting of the left-recursive `lexpr` and
/// `bexpr` rules, which for the inputs accepted here is Python's precedence;
/// where the ANTLR grammar is looser than Python (`a < not b`), this parser
/// declines instead of following it.
//===----------------------------------------------------------------------===//

#include "FastParse.h"

#include "svic/grammar/IndentingLexer.h"
#include "svic/ir/IR.h"

#include "antlr4-runtime.h"

#include <algorithm>

namespace svic::frontend {

using antlr4::Token;

namespace {

/// Thrown to give up; the caller then runs the ANTLR parse.
struct Decline {};

/// Recursion deeper than this declines: about 65 nested brackets, well within
/// what ANTLR's parse reads (more than 300), so that the fast path never
/// accepts what ANTLR reports as nested too deeply.
constexpr unsigned MaxDepth = 200;
/// Trailers on one atom beyond this: the builder reports them as too deep.
constexpr size_t MaxTrailers = 1999;

struct LexedTokens {
  grammar::SourceStream Input;
  grammar::IndentingLexer Lexer;
  std::vector<grammar::Lexeme> Tokens;
  std::vector<size_t> Types;

  explicit LexedTokens(const std::string &Text) : Input(Text), Lexer(&Input) {
    // Python source has about one token per five characters.
    Tokens.reserve(Text.size() / 4 + 16);
    Types.reserve(Text.size() / 4 + 16);
  }

  /// Reads every token; false at a lexical error.
  bool fill() {
    for (;;) {
      Tokens.push_back(Lexer.next());
      Types.push_back(Tokens.back().Type);
      if (Types.back() == Token::EOF)
        break;
    }
    return Lexer.errors().empty();
  }
};

class FastParser : public BuilderBase {
public:
  FastParser(const LexedTokens &Toks, const LocMap &LM, DiagnosticEngine &Scratch)
      : BuilderBase(LM, Scratch), Toks(Toks), Types(Toks.Types) {}

  /// file_input: ( NEWLINE | stmt )* EOF
  void fileInput(ast::Body &Out) {
    while (la() != Token::EOF) {
      if (la() == Tok::NEWLINE)
        ++Pos;
      else
        stmt(Out);
    }
  }

  /// expr_input: testlist NEWLINE* EOF
  ast::ExprPtr exprInput() {
    ast::ExprPtr E = testlist();
    while (la() == Tok::NEWLINE)
      ++Pos;
    expect(Token::EOF);
    return E;
  }

private:
  const LexedTokens &Toks;
  const std::vector<size_t> &Types;
  size_t Pos = 0;
  unsigned Depth = 0;

  /// Counts a level of recursion for its scope.
  struct Nest {
    unsigned &D;
    explicit Nest(unsigned &D) : D(D) {
      if (++D > MaxDepth)
        throw Decline{};
    }
    ~Nest() { --D; }
  };

  //===-- tokens --===//
  size_t la(size_t K = 0) const {
    size_t I = Pos + K;
    return I < Types.size() ? Types[I] : static_cast<size_t>(Token::EOF);
  }
  void expect(size_t Type) {
    if (la() != Type)
      throw Decline{};
    ++Pos;
  }
  bool accept(size_t Type) {
    if (la() != Type)
      return false;
    ++Pos;
    return true;
  }
  /// The text of a NAME or number token.
  std::string text(size_t I) const { return Toks.Tokens[I].getText(); }
  std::string expectName() {
    expect(Tok::NAME);
    return text(Pos - 1);
  }
  /// The location of the tokens from \p From to the last one consumed, like
  /// Builder::loc of the rule context that spans them.
  SourceLoc span(size_t From) const {
    size_t Last = Pos - 1;
    while (Last > 0 && isLayoutToken(Types[Last]))
      --Last;
    return LM.span(&Toks.Tokens[From], &Toks.Tokens[Last]);
  }

  /// Tokens that can start a `bexpr`.
  static bool startsBexpr(size_t T) {
    switch (T) {
    case Tok::NAME:
    case Tok::INTEGER:
    case Tok::FLOAT_NUMBER:
    case Tok::IMAG_NUMBER:
    case Tok::STRING:
    case Tok::ELLIPSIS:
    case Tok::NONE:
    case Tok::TRUE:
    case Tok::FALSE:
    case Tok::OPEN_PAREN:
    case Tok::OPEN_BRACK:
    case Tok::OPEN_BRACE:
    case Tok::ADD:
    case Tok::MINUS:
    case Tok::NOT_OP:
    case Tok::AWAIT:
      return true;
    default:
      return false;
    }
  }
  /// Tokens that can start a `test`.
  static bool startsTest(size_t T) { return startsBexpr(T) || T == Tok::NOT || T == Tok::LAMBDA; }
  static bool startsTestOrStar(size_t T) { return startsTest(T) || T == Tok::STAR; }
  bool atCompFor() const { return la() == Tok::FOR || (la() == Tok::ASYNC && la(1) == Tok::FOR); }

  //===-- statements --===//

  /// stmt: simple_stmts | compound_stmt
  void stmt(ast::Body &Out) {
    Nest N(Depth);
    const size_t S = Pos;
    switch (la()) {
    case Tok::IF:
      Out.push_back(ifStmt());
      return;
    case Tok::WHILE: {
      ++Pos;
      auto W = std::make_unique<ast::While>();
      W->Test = namedexprTest();
      expect(Tok::COLON);
      W->Loop = block();
      if (accept(Tok::ELSE)) {
        expect(Tok::COLON);
        W->OrElse = block();
      }
      W->Loc = span(S);
      Out.push_back(std::move(W));
      return;
    }
    case Tok::FOR:
      Out.push_back(forStmt());
      return;
    case Tok::TRY:
      Out.push_back(tryStmt());
      return;
    case Tok::WITH:
      Out.push_back(withStmt());
      return;
    case Tok::DEF:
      Out.push_back(funcdef({}));
      return;
    case Tok::CLASS:
      Out.push_back(classdef({}));
      return;
    case Tok::AT:
      Out.push_back(decorated());
      return;
    case Tok::ASYNC:
      Out.push_back(asyncStmt());
      return;
    case Tok::MATCH:
      matchStmt();
      Out.push_back(unsupportedStmt(span(S), Construct::Match));
      return;
    default:
      simpleStmts(Out);
    }
  }

  /// simple_stmts: simple_stmt ( SEMI_COLON simple_stmt )* SEMI_COLON? NEWLINE
  void simpleStmts(ast::Body &Out) {
    for (;;) {
      Out.push_back(simpleStmt());
      if (!accept(Tok::SEMI_COLON) || la() == Tok::NEWLINE)
        break;
    }
    expect(Tok::NEWLINE);
  }

  /// block: simple_stmts | NEWLINE INDENT stmt+ DEDENT
  ast::Body block() {
    ast::Body Out;
    if (!accept(Tok::NEWLINE)) {
      simpleStmts(Out);
      return Out;
    }
    expect(Tok::INDENT);
    do
      stmt(Out);
    while (la() != Tok::DEDENT);
    ++Pos;
    return Out;
  }

  ast::StmtPtr simpleStmt() {
    const size_t S = Pos;
    switch (la()) {
    case Tok::PASS:
      ++Pos;
      return node<ast::Pass>(span(S));
    case Tok::BREAK:
      ++Pos;
      return unsupportedStmt(span(S), Construct::Break);
    case Tok::CONTINUE:
      ++Pos;
      return unsupportedStmt(span(S), Construct::Continue);
    case Tok::RETURN: {
      ++Pos;
      auto R = std::make_unique<ast::Return>();
      if (startsTestOrStar(la()))
        R->Value = testlistStarExpr();
      R->Loc = span(S);
      return R;
    }
    case Tok::RAISE:
      ++Pos;
      if (startsTest(la())) {
        test();
        if (accept(Tok::FROM))
          test();
      }
      return unsupportedStmt(span(S), Construct::Raise);
    case Tok::YIELD:
      yieldExpr();
      return unsupportedStmt(span(S), Construct::YieldStmt);
    case Tok::DEL:
      ++Pos;
      exprlist();
      return unsupportedStmt(span(S), Construct::Del);
    case Tok::GLOBAL:
    case Tok::NONLOCAL: {
      Construct C = la() == Tok::GLOBAL ? Construct::Global : Construct::Nonlocal;
      ++Pos;
      std::vector<std::string> Names{expectName()};
      while (accept(Tok::COMMA))
        Names.push_back(expectName());
      auto U = unsupportedStmt(span(S), C);
      U->Names = std::move(Names);
      return U;
    }
    case Tok::ASSERT: {
      ++Pos;
      auto A = std::make_unique<ast::Assert>();
      A->Test = test();
      if (accept(Tok::COMMA))
        A->Msg = test();
      A->Loc = span(S);
      return A;
    }
    case Tok::IMPORT:
      return importName();
    case Tok::FROM:
      return importFrom();
    default:
      return exprStmt();
    }
  }

  /// IMPORT dotted_as_name ( COMMA dotted_as_name )*
  ast::StmtPtr importName() {
    const size_t S = Pos++;
    auto I = std::make_unique<ast::Import>();
    do {
      ast::Alias A;
      const size_t AS = Pos;
      A.Name = dottedName();
      if (accept(Tok::AS))
        A.AsName = expectName();
      A.Loc = span(AS);
      I->Names.push_back(std::move(A));
    } while (accept(Tok::COMMA));
    I->Loc = span(S);
    return I;
  }

  /// FROM ( DOT | ELLIPSIS )* dotted_name? IMPORT
  ///   ( STAR | OPEN_PAREN import_as_names CLOSE_PAREN | import_as_names )
  ast::StmtPtr importFrom() {
    const size_t S = Pos++;
    auto I = std::make_unique<ast::ImportFrom>();
    for (;; ++Pos) {
      if (la() == Tok::DOT)
        I->Level += 1;
      else if (la() == Tok::ELLIPSIS)
        I->Level += 3;
      else
        break;
    }
    if (la() == Tok::NAME)
      I->Module = dottedName();
    expect(Tok::IMPORT);
    if (la() == Tok::STAR) {
      const size_t Star = Pos++;
      I->Names.push_back(ast::Alias{"*", "", span(Star)});
    } else {
      bool Paren = accept(Tok::OPEN_PAREN);
      // import_as_names: import_as_name ( COMMA import_as_name )* COMMA?
      do {
        if (la() != Tok::NAME && !I->Names.empty())
          break;
        ast::Alias A;
        const size_t AS = Pos;
        A.Name = expectName();
        if (accept(Tok::AS))
          A.AsName = expectName();
        A.Loc = span(AS);
        I->Names.push_back(std::move(A));
      } while (accept(Tok::COMMA));
      if (Paren)
        expect(Tok::CLOSE_PAREN);
    }
    I->Loc = span(S);
    return I;
  }

  /// dotted_name: NAME ( DOT NAME )*, as its text.
  std::string dottedName() {
    std::string Name = expectName();
    while (la() == Tok::DOT && la(1) == Tok::NAME) {
      Pos += 2;
      Name += "." + text(Pos - 1);
    }
    return Name;
  }

  /// assign_value: yield_expr | testlist_star_expr
  ast::ExprPtr assignValue() {
    if (la() != Tok::YIELD)
      return testlistStarExpr();
    const size_t S = Pos;
    yieldExpr();
    return unsupported(span(S), Construct::YieldExpr);
  }

  /// expr_stmt
  ast::StmtPtr exprStmt() {
    const size_t S = Pos;
    ast::ExprPtr First = testlistStarExpr();
    if (accept(Tok::COLON)) {
      auto A = std::make_unique<ast::AnnAssign>();
      A->Target = std::move(First);
      A->Annotation = test();
      if (accept(Tok::ASSIGN))
        A->Value = assignValue();
      A->Loc = span(S);
      return A;
    }
    static_assert(Tok::IDIV_ASSIGN - Tok::ADD_ASSIGN == 12, "augassign tokens are consecutive");
    if (la() >= Tok::ADD_ASSIGN && la() <= Tok::IDIV_ASSIGN) {
      auto A = std::make_unique<ast::AugAssign>();
      A->Op = augOpOfToken(la());
      ++Pos;
      A->Target = std::move(First);
      A->Value = assignValue();
      A->Loc = span(S);
      return A;
    }
    if (la() != Tok::ASSIGN) {
      auto E = std::make_unique<ast::ExprStmt>();
      E->Value = std::move(First);
      E->Loc = span(S);
      return E;
    }
    auto A = std::make_unique<ast::Assign>();
    A->Targets.push_back(std::move(First));
    while (accept(Tok::ASSIGN))
      A->Targets.push_back(assignValue());
    A->Value = std::move(A->Targets.back());
    A->Targets.pop_back();
    A->Loc = span(S);
    return A;
  }

  /// if_stmt: IF namedexpr_test COLON block elif_clause* else_clause?
  ast::StmtPtr ifStmt() {
    const size_t S = Pos++;
    auto Root = std::make_unique<ast::If>();
    Root->Test = namedexprTest();
    expect(Tok::COLON);
    Root->Then = block();
    // An elif's location runs from `elif` to the end of the whole statement.
    std::vector<std::pair<ast::If *, size_t>> Elifs;
    ast::If *Cur = Root.get();
    while (la() == Tok::ELIF) {
      const size_t ES = Pos++;
      auto Next = std::make_unique<ast::If>();
      Next->IsElif = true;
      Next->Test = namedexprTest();
      expect(Tok::COLON);
      Next->Then = block();
      ast::If *NextPtr = Next.get();
      Cur->OrElse.push_back(std::move(Next));
      Cur = NextPtr;
      Elifs.emplace_back(NextPtr, ES);
    }
    if (accept(Tok::ELSE)) {
      expect(Tok::COLON);
      Cur->OrElse = block();
    }
    Root->Loc = span(S);
    for (auto &[E, ES] : Elifs)
      E->Loc = span(ES);
    return Root;
  }

  /// for_stmt: FOR exprlist IN testlist_star_expr COLON block else_clause?
  ast::StmtPtr forStmt() {
    const size_t S = Pos;
    expect(Tok::FOR);
    auto F = std::make_unique<ast::For>();
    F->Target = exprlist();
    expect(Tok::IN);
    F->Iter = testlistStarExpr();
    expect(Tok::COLON);
    F->Loop = block();
    if (accept(Tok::ELSE)) {
      expect(Tok::COLON);
      F->OrElse = block();
    }
    F->Loc = span(S);
    return F;
  }

  /// try_stmt
  ast::StmtPtr tryStmt() {
    const size_t S = Pos++;
    auto T = std::make_unique<ast::Try>();
    expect(Tok::COLON);
    T->Inner = block();
    if (la() != Tok::EXCEPT && la() != Tok::FINALLY)
      throw Decline{};
    while (la() == Tok::EXCEPT) {
      // except_clause: EXCEPT STAR? ( test ( AS NAME )? )?
      const size_t HS = Pos++;
      ast::Try::Handler H;
      T->Star |= accept(Tok::STAR);
      if (startsTest(la())) {
        H.Type = test();
        if (accept(Tok::AS))
          H.Name = expectName();
      }
      H.Loc = span(HS);
      expect(Tok::COLON);
      H.Inner = block();
      T->Handlers.push_back(std::move(H));
    }
    if (!T->Handlers.empty() && accept(Tok::ELSE)) {
      expect(Tok::COLON);
      T->OrElse = block();
    }
    if (accept(Tok::FINALLY)) {
      expect(Tok::COLON);
      T->Finally = block();
    }
    T->Loc = span(S);
    return T;
  }

  /// True when the `(` at Pos closes right before the `:` of a with
  /// statement: ANTLR then takes the parenthesised item list (its first
  /// alternative) wherever that parses.
  bool parenthesisedWithItems() const {
    size_t Open = 0;
    for (size_t I = Pos; I < Types.size(); ++I) {
      size_t T = Types[I];
      if (T == Tok::OPEN_PAREN || T == Tok::OPEN_BRACK || T == Tok::OPEN_BRACE)
        ++Open;
      else if (T == Tok::CLOSE_PAREN || T == Tok::CLOSE_BRACK || T == Tok::CLOSE_BRACE) {
        if (--Open == 0)
          return I + 1 < Types.size() && Types[I + 1] == Tok::COLON;
      } else if (T == Token::EOF || T == Tok::NEWLINE)
        return false;
    }
    return false;
  }

  /// with_stmt
  ast::StmtPtr withStmt() {
    const size_t S = Pos++;
    auto W = std::make_unique<ast::With>();
    if (la() == Tok::OPEN_PAREN && parenthesisedWithItems()) {
      ++Pos;
      do {
        if (la() == Tok::CLOSE_PAREN && !W->Items.empty())
          break;
        W->Items.push_back(withItem());
      } while (accept(Tok::COMMA));
      expect(Tok::CLOSE_PAREN);
    } else {
      do
        W->Items.push_back(withItem());
      while (accept(Tok::COMMA));
    }
    expect(Tok::COLON);
    W->Inner = block();
    W->Loc = span(S);
    return W;
  }

  /// with_item: test ( AS bexpr )?
  ast::WithItem withItem() {
    ast::WithItem Item;
    Item.Context = test();
    if (accept(Tok::AS))
      Item.Var = bexpr();
    return Item;
  }

  /// funcdef: DEF NAME OPEN_PAREN parameters? CLOSE_PAREN ( ARROW test )? COLON block
  std::unique_ptr<ast::FunctionDef> funcdef(std::vector<ast::ExprPtr> Decorators) {
    const size_t S = Pos;
    expect(Tok::DEF);
    auto F = std::make_unique<ast::FunctionDef>();
    F->Name = expectName();
    F->Decorators = std::move(Decorators);
    expect(Tok::OPEN_PAREN);
    // parameters: parameter ( COMMA parameter )* COMMA?
    if (la() != Tok::CLOSE_PAREN) {
      do {
        if (la() == Tok::CLOSE_PAREN)
          break;
        F->Params.push_back(parameter());
      } while (accept(Tok::COMMA));
    }
    expect(Tok::CLOSE_PAREN);
    if (accept(Tok::ARROW))
      test();
    expect(Tok::COLON);
    F->Inner = block();
    F->Loc = span(S);
    return F;
  }

  /// parameter
  ast::Param parameter() {
    const size_t S = Pos;
    ast::Param P;
    switch (la()) {
    case Tok::NAME:
      P.Name = expectName();
      if (accept(Tok::COLON))
        test();
      if (accept(Tok::ASSIGN))
        P.Default = test();
      break;
    case Tok::STAR:
      ++Pos;
      if (la() == Tok::NAME) {
        P.K = ast::Param::Kind::VarArgs;
        P.Name = expectName();
        if (accept(Tok::COLON)) {
          if (la() == Tok::STAR)
            starExpr();
          else
            test();
        }
      } else {
        P.K = ast::Param::Kind::KwOnlyMarker;
      }
      break;
    case Tok::POWER:
      ++Pos;
      P.K = ast::Param::Kind::VarKeywords;
      P.Name = expectName();
      if (accept(Tok::COLON))
        test();
      break;
    case Tok::DIV:
      ++Pos;
      P.K = ast::Param::Kind::PosOnlyMarker;
      break;
    default:
      throw Decline{};
    }
    P.Loc = span(S);
    return P;
  }

  /// classdef: CLASS NAME ( OPEN_PAREN arglist? CLOSE_PAREN )? COLON block
  std::unique_ptr<ast::ClassDef> classdef(std::vector<ast::ExprPtr> Decorators) {
    const size_t S = Pos;
    expect(Tok::CLASS);
    auto C = std::make_unique<ast::ClassDef>();
    C->Name = expectName();
    C->Decorators = std::move(Decorators);
    if (accept(Tok::OPEN_PAREN)) {
      std::vector<ast::Arg> Args;
      if (la() != Tok::CLOSE_PAREN)
        arglist(Args);
      expect(Tok::CLOSE_PAREN);
      setClassArgs(*C, std::move(Args));
    }
    expect(Tok::COLON);
    C->Inner = block();
    C->Loc = span(S);
    return C;
  }

  /// decorated: decorator+ ( classdef | funcdef | async_stmt ), where an
  /// async with or for declines (ANTLR reads it, CPython does not).
  ast::StmtPtr decorated() {
    std::vector<ast::ExprPtr> Decorators;
    while (accept(Tok::AT)) {
      Decorators.push_back(namedexprTest());
      expect(Tok::NEWLINE);
    }
    if (la() == Tok::DEF)
      return funcdef(std::move(Decorators));
    if (la() == Tok::CLASS)
      return classdef(std::move(Decorators));
    if (la() != Tok::ASYNC || la(1) != Tok::DEF)
      throw Decline{};
    auto F = asyncStmt();
    static_cast<ast::FunctionDef *>(F.get())->Decorators = std::move(Decorators);
    return F;
  }

  /// async_stmt: ASYNC ( funcdef | with_stmt | for_stmt )
  ast::StmtPtr asyncStmt() {
    const size_t S = Pos++;
    switch (la()) {
    case Tok::DEF: {
      // Kept as a function so that an async entry is found and then rejected.
      std::unique_ptr<ast::FunctionDef> F = funcdef({});
      F->Loc = span(S);
      F->IsAsync = true;
      return F;
    }
    case Tok::WITH:
      withStmt();
      return unsupportedStmt(span(S), Construct::AsyncWith);
    case Tok::FOR:
      forStmt();
      return unsupportedStmt(span(S), Construct::AsyncFor);
    default:
      throw Decline{};
    }
  }

  //===-- match statements (syntax only: the AST keeps an Unsupported) --===//

  /// match_stmt
  void matchStmt() {
    ++Pos;
    namedOrStar();
    while (accept(Tok::COMMA) && la() != Tok::COLON)
      namedOrStar();
    expect(Tok::COLON);
    expect(Tok::NEWLINE);
    expect(Tok::INDENT);
    do {
      // case_block: CASE patterns ( IF namedexpr_test )? COLON block
      expect(Tok::CASE);
      patterns();
      if (accept(Tok::IF))
        namedexprTest();
      expect(Tok::COLON);
      block();
    } while (la() != Tok::DEDENT);
    ++Pos;
  }

  static bool startsPattern(size_t T) {
    switch (T) {
    case Tok::STAR:
    case Tok::MINUS:
    case Tok::INTEGER:
    case Tok::FLOAT_NUMBER:
    case Tok::IMAG_NUMBER:
    case Tok::STRING:
    case Tok::NONE:
    case Tok::TRUE:
    case Tok::FALSE:
    case Tok::NAME:
    case Tok::OPEN_PAREN:
    case Tok::OPEN_BRACK:
    case Tok::OPEN_BRACE:
      return true;
    default:
      return false;
    }
  }

  /// patterns: star_pattern ( COMMA star_pattern )* COMMA?
  void patterns() {
    for (;;) {
      // star_pattern: STAR NAME | pattern
      if (accept(Tok::STAR))
        expect(Tok::NAME);
      else
        pattern();
      if (!accept(Tok::COMMA) || !startsPattern(la()))
        return;
    }
  }

  /// pattern: closed_pattern ( OR_OP closed_pattern )* ( AS NAME )?
  void pattern() {
    Nest N(Depth);
    do
      closedPattern();
    while (accept(Tok::OR_OP));
    if (accept(Tok::AS))
      expect(Tok::NAME);
  }

  void number() {
    if (la() != Tok::INTEGER && la() != Tok::FLOAT_NUMBER && la() != Tok::IMAG_NUMBER)
      throw Decline{};
    ++Pos;
  }

  /// closed_pattern
  void closedPattern() {
    switch (la()) {
    case Tok::MINUS:
    case Tok::INTEGER:
    case Tok::FLOAT_NUMBER:
    case Tok::IMAG_NUMBER:
      accept(Tok::MINUS);
      number();
      if (accept(Tok::ADD) || accept(Tok::MINUS))
        number();
      return;
    case Tok::STRING:
      while (accept(Tok::STRING)) {
      }
      return;
    case Tok::NONE:
    case Tok::TRUE:
    case Tok::FALSE:
      ++Pos;
      return;
    case Tok::NAME:
      dottedName();
      if (accept(Tok::OPEN_PAREN)) {
        // pattern_args: pattern_arg ( COMMA pattern_arg )* COMMA?
        while (la() != Tok::CLOSE_PAREN) {
          if (la() == Tok::NAME && la(1) == Tok::ASSIGN)
            Pos += 2;
          pattern();
          if (!accept(Tok::COMMA))
            break;
        }
        expect(Tok::CLOSE_PAREN);
      }
      return;
    case Tok::OPEN_PAREN:
    case Tok::OPEN_BRACK: {
      size_t Close = la() == Tok::OPEN_PAREN ? Tok::CLOSE_PAREN : Tok::CLOSE_BRACK;
      ++Pos;
      if (la() != Close)
        patterns();
      expect(Close);
      return;
    }
    case Tok::OPEN_BRACE:
      ++Pos;
      // mapping_item: POWER NAME | closed_pattern COLON pattern
      while (la() != Tok::CLOSE_BRACE) {
        if (accept(Tok::POWER)) {
          expect(Tok::NAME);
        } else {
          closedPattern();
          expect(Tok::COLON);
          pattern();
        }
        if (!accept(Tok::COMMA))
          break;
      }
      expect(Tok::CLOSE_BRACE);
      return;
    default:
      throw Decline{};
    }
  }

  //===-- expression lists --===//

  /// testlist_star_expr: ( test | star_expr ) ( COMMA ( test | star_expr ) )* COMMA?
  ast::ExprPtr testlistStarExpr() {
    const size_t S = Pos;
    std::vector<ast::ExprPtr> Elems;
    Elems.push_back(testOrStar());
    bool Comma = false;
    while (accept(Tok::COMMA)) {
      Comma = true;
      if (!startsTestOrStar(la()))
        break;
      Elems.push_back(testOrStar());
    }
    return tupleOrSingle(span(S), std::move(Elems), Comma);
  }

  /// testlist: test ( COMMA test )* COMMA?
  ast::ExprPtr testlist() {
    const size_t S = Pos;
    std::vector<ast::ExprPtr> Elems;
    Elems.push_back(test());
    bool Comma = false;
    while (accept(Tok::COMMA)) {
      Comma = true;
      if (!startsTest(la()))
        break;
      Elems.push_back(test());
    }
    return tupleOrSingle(span(S), std::move(Elems), Comma);
  }

  /// exprlist: ( bexpr | star_expr ) ( COMMA ( bexpr | star_expr ) )* COMMA?
  ast::ExprPtr exprlist() {
    const size_t S = Pos;
    std::vector<ast::ExprPtr> Elems;
    auto Elem = [&] { return la() == Tok::STAR ? starExpr() : bexpr(); };
    Elems.push_back(Elem());
    bool Comma = false;
    while (accept(Tok::COMMA)) {
      Comma = true;
      if (!startsBexpr(la()) && la() != Tok::STAR)
        break;
      Elems.push_back(Elem());
    }
    return tupleOrSingle(span(S), std::move(Elems), Comma);
  }

  ast::ExprPtr testOrStar() { return la() == Tok::STAR ? starExpr() : test(); }
  ast::ExprPtr namedOrStar() { return la() == Tok::STAR ? starExpr() : namedexprTest(); }

  /// yield_expr: YIELD ( FROM test | testlist_star_expr )?, syntax only.
  void yieldExpr() {
    expect(Tok::YIELD);
    if (accept(Tok::FROM))
      test();
    else if (startsTestOrStar(la()))
      testlistStarExpr();
  }

  //===-- expressions --===//

  /// namedexpr_test: test ( WALRUS test )?
  ast::ExprPtr namedexprTest() {
    const size_t S = Pos;
    return walrusRest(S, test());
  }
  /// The rest of a namedexpr_test from \p S whose first test is \p E.
  ast::ExprPtr walrusRest(size_t S, ast::ExprPtr E) {
    if (!accept(Tok::WALRUS))
      return E;
    ast::ExprPtr Value = test();
    auto U = unsupported(span(S), Construct::Walrus);
    U->Children.push_back(std::move(E));
    U->Children.push_back(std::move(Value));
    return U;
  }

  /// test: lexpr ( IF lexpr ELSE test )? | lambdef
  ast::ExprPtr test() {
    Nest N(Depth);
    if (la() == Tok::LAMBDA)
      return lambdef(/*NoCond=*/false);
    const size_t S = Pos;
    ast::ExprPtr Body = orTest();
    if (!accept(Tok::IF))
      return Body;
    auto E = std::make_unique<ast::IfExp>();
    E->Body = std::move(Body);
    E->Test = orTest();
    expect(Tok::ELSE);
    E->OrElse = test();
    E->Loc = span(S);
    return E;
  }

  /// test_nocond: lexpr | lambdef_nocond
  ast::ExprPtr testNocond() {
    Nest N(Depth);
    return la() == Tok::LAMBDA ? lambdef(/*NoCond=*/true) : orTest();
  }

  /// lambdef: LAMBDA lambda_params? COLON test (test_nocond for lambdef_nocond)
  ast::ExprPtr lambdef(bool NoCond) {
    const size_t S = Pos++;
    std::vector<ast::Param> Params;
    // lambda_params: lambda_param ( COMMA lambda_param )* COMMA?
    while (la() != Tok::COLON) {
      const size_t PS = Pos;
      ast::Param P;
      if (accept(Tok::DIV)) {
        P.K = ast::Param::Kind::PosOnlyMarker;
      } else if (accept(Tok::POWER)) {
        P.K = ast::Param::Kind::VarKeywords;
        P.Name = expectName();
      } else if (accept(Tok::STAR)) {
        P.K = ast::Param::Kind::KwOnlyMarker;
        if (la() == Tok::NAME) {
          P.K = ast::Param::Kind::VarArgs;
          P.Name = expectName();
        }
      } else {
        P.Name = expectName();
        if (accept(Tok::ASSIGN))
          P.Default = test();
      }
      P.Loc = span(PS);
      Params.push_back(std::move(P));
      if (!accept(Tok::COMMA))
        break;
    }
    expect(Tok::COLON);
    ast::ExprPtr Body = NoCond ? testNocond() : test();
    return makeLambda(span(S), std::move(Params), std::move(Body));
  }

  /// `lexpr` at the `or` level.
  ast::ExprPtr orTest() { return boolOp(Tok::OR); }

  /// `a and b and c` (Op AND) or `a or b or c` (Op OR) as one BoolOp.
  ast::ExprPtr boolOp(size_t Op) {
    const size_t S = Pos;
    auto Operand = [&] { return Op == Tok::OR ? boolOp(Tok::AND) : notTest(); };
    ast::ExprPtr First = Operand();
    if (la() != Op)
      return First;
    auto E = std::make_unique<ast::BoolOp>();
    E->IsAnd = Op == Tok::AND;
    E->Values.push_back(std::move(First));
    while (accept(Op))
      E->Values.push_back(Operand());
    E->Loc = span(S);
    return E;
  }

  /// `lexpr` at the `not` level.
  ast::ExprPtr notTest() {
    if (la() != Tok::NOT)
      return comparison();
    Nest N(Depth);
    const size_t S = Pos++;
    auto E = std::make_unique<ast::UnaryOp>();
    E->Op = ast::UnaryOpKind::Not;
    E->Operand = notTest();
    E->Loc = span(S);
    return E;
  }

  bool atCompOp() const {
    switch (la()) {
    case Tok::LESS_THAN:
    case Tok::GREATER_THAN:
    case Tok::EQUALS:
    case Tok::GT_EQ:
    case Tok::LT_EQ:
    case Tok::NOT_EQ_1:
    case Tok::NOT_EQ_2:
    case Tok::IN:
    case Tok::IS:
      return true;
    case Tok::NOT:
      return la(1) == Tok::IN;
    default:
      return false;
    }
  }

  /// `lexpr` at the comparison level; a chain is one Compare.
  ast::ExprPtr comparison() {
    const size_t S = Pos;
    ast::ExprPtr Left = bexpr();
    if (!atCompOp())
      return Left;
    auto E = std::make_unique<ast::Compare>();
    E->Left = std::move(Left);
    while (atCompOp()) {
      E->Ops.push_back(cmpOpOfTokens(la(), la(1)));
      Pos += (la() == Tok::NOT || (la() == Tok::IS && la(1) == Tok::NOT)) ? 2 : 1;
      E->Comparators.push_back(bexpr());
    }
    E->Loc = span(S);
    return E;
  }

  /// The binding power of a binary `bexpr` operator (bexpr's alternatives,
  /// loosest first); 0 when \p T is none.
  static int binaryPrecedence(size_t T) {
    switch (T) {
    case Tok::OR_OP:
      return 1;
    case Tok::XOR:
      return 2;
    case Tok::AND_OP:
      return 3;
    case Tok::LEFT_SHIFT:
    case Tok::RIGHT_SHIFT:
      return 4;
    case Tok::ADD:
    case Tok::MINUS:
      return 5;
    case Tok::STAR:
    case Tok::AT:
    case Tok::DIV:
    case Tok::MOD:
    case Tok::IDIV:
      return 6;
    case Tok::POWER:
      return 8;
    default:
      return 0;
    }
  }
  static constexpr int UnaryPrecedence = 7, PowerPrecedence = 8;

  /// bexpr[MinPrec], as ANTLR's rewriting of the left-recursive rule reads
  /// it: a primary (atom_expr or a unary operator applied to
  /// bexpr[UnaryPrecedence]), then binary operators binding at least MinPrec,
  /// left-associative except `**`.
  ast::ExprPtr bexpr(int MinPrec = 1) {
    Nest N(Depth);
    const size_t S = Pos;
    ast::ExprPtr Left;
    if (la() == Tok::ADD || la() == Tok::MINUS || la() == Tok::NOT_OP) {
      auto U = std::make_unique<ast::UnaryOp>();
      U->Op = la() == Tok::ADD     ? ast::UnaryOpKind::UAdd
              : la() == Tok::MINUS ? ast::UnaryOpKind::USub
                                   : ast::UnaryOpKind::Invert;
      ++Pos;
      U->Operand = bexpr(UnaryPrecedence);
      U->Loc = span(S);
      Left = std::move(U);
    } else {
      Left = atomExpr();
    }
    for (;;) {
      const int Prec = binaryPrecedence(la());
      if (Prec == 0 || Prec < MinPrec)
        return Left;
      auto B = std::make_unique<ast::BinOp>();
      B->Op = binOpOfToken(la());
      ++Pos;
      B->Left = std::move(Left);
      B->Right = bexpr(Prec == PowerPrecedence ? Prec : Prec + 1);
      B->Loc = span(S);
      Left = std::move(B);
    }
  }

  /// star_expr: STAR bexpr
  ast::ExprPtr starExpr() {
    const size_t S = Pos;
    expect(Tok::STAR);
    auto E = std::make_unique<ast::Starred>();
    E->Value = bexpr();
    E->Loc = span(S);
    return E;
  }

  /// atom_expr: AWAIT? atom trailer*
  ast::ExprPtr atomExpr() {
    const size_t S = Pos;
    const bool Await = accept(Tok::AWAIT);
    const size_t First = Pos;
    ast::ExprPtr Cur = atom();
    for (size_t Count = 0;; ++Count) {
      const size_t T = la();
      if (T != Tok::OPEN_PAREN && T != Tok::OPEN_BRACK && T != Tok::DOT)
        break;
      if (Count >= MaxTrailers)
        throw Decline{};
      ++Pos;
      if (T == Tok::OPEN_PAREN) {
        auto C = std::make_unique<ast::Call>();
        C->Func = std::move(Cur);
        if (la() != Tok::CLOSE_PAREN)
          arglist(C->Args);
        expect(Tok::CLOSE_PAREN);
        C->Loc = span(First);
        Cur = std::move(C);
      } else if (T == Tok::OPEN_BRACK) {
        auto Sub = std::make_unique<ast::Subscript>();
        Sub->Value = std::move(Cur);
        // subscriptlist: subscript ( COMMA subscript )* COMMA?
        size_t Commas = 0;
        do {
          if (la() == Tok::CLOSE_BRACK && !Sub->Indices.empty())
            break;
          Sub->Indices.push_back(subscript());
          if (la() == Tok::COMMA)
            ++Commas;
        } while (accept(Tok::COMMA));
        expect(Tok::CLOSE_BRACK);
        Sub->TrailingComma = Commas >= Sub->Indices.size();
        Sub->Loc = span(First);
        Cur = std::move(Sub);
      } else {
        auto A = std::make_unique<ast::Attribute>();
        A->Value = std::move(Cur);
        A->Attr = expectName();
        A->Loc = span(First);
        Cur = std::move(A);
      }
    }
    if (!Await)
      return Cur;
    auto U = unsupported(span(S), Construct::Await);
    U->Children.push_back(std::move(Cur));
    return U;
  }

  /// subscript: namedexpr_test | test? COLON test? ( COLON test? )? | star_expr
  ast::ExprPtr subscript() {
    const size_t S = Pos;
    if (la() == Tok::STAR)
      return starExpr();
    auto Sl = std::make_unique<ast::Slice>();
    if (la() != Tok::COLON) {
      ast::ExprPtr E = test();
      if (la() == Tok::WALRUS)
        return walrusRest(S, std::move(E));
      if (la() != Tok::COLON)
        return E;
      Sl->Lower = std::move(E);
    }
    expect(Tok::COLON);
    if (startsTest(la()))
      Sl->Upper = test();
    if (accept(Tok::COLON) && startsTest(la()))
      Sl->Step = test();
    Sl->Loc = span(S);
    return Sl;
  }

  /// arglist: argument ( COMMA argument )* COMMA?
  void arglist(std::vector<ast::Arg> &Out) {
    do {
      if (la() == Tok::CLOSE_PAREN)
        break;
      Out.push_back(argument());
    } while (accept(Tok::COMMA));
  }

  /// argument: NAME ASSIGN test | namedexpr_test comp_for? | STAR test | POWER test
  ast::Arg argument() {
    const size_t S = Pos;
    ast::Arg A;
    if (la() == Tok::NAME && la(1) == Tok::ASSIGN) {
      A.K = ast::Arg::Kind::Keyword;
      A.Name = expectName();
      ++Pos;
      A.Value = test();
    } else if (accept(Tok::STAR)) {
      A.K = ast::Arg::Kind::Star;
      A.Value = test();
    } else if (accept(Tok::POWER)) {
      A.K = ast::Arg::Kind::DoubleStar;
      A.Value = test();
    } else {
      A.Value = namedexprTest();
      if (atCompFor())
        A.Value = comp(S, ast::Comp::Form::Generator, std::move(A.Value), nullptr);
    }
    A.Loc = span(S);
    return A;
  }

  /// The comprehension of \p Elt (and \p Value for a dict) whose clauses
  /// start here, the whole spanning from token \p S to the one before the
  /// closing bracket (the caller expects it and fixes the span). comp_for:
  /// ASYNC? FOR exprlist IN lexpr comp_iter?, with comp_iter: comp_for | IF
  /// test_nocond comp_iter?.
  ast::ExprPtr comp(size_t S, ast::Comp::Form F, ast::ExprPtr Elt, ast::ExprPtr Value) {
    auto C = std::make_unique<ast::Comp>();
    C->F = F;
    C->Elt = std::move(Elt);
    C->Value = std::move(Value);
    bool Async = false;
    while (atCompFor()) {
      Async |= accept(Tok::ASYNC);
      expect(Tok::FOR);
      ast::CompFor &For = C->Fors.emplace_back();
      For.Target = exprlist();
      expect(Tok::IN);
      For.Iter = orTest();
      while (accept(Tok::IF))
        For.Ifs.push_back(testNocond());
    }
    if (Async)
      return unsupported(span(S), Construct::AsyncComp);
    if (F == ast::Comp::Form::Dict && !C->Elt) // `{**d for ...}`
      return unsupported(span(S), Construct::DictUnpackComp);
    C->Loc = span(S);
    return C;
  }

  /// Re-spans \p E from token \p S through the token just read (a
  /// comprehension's closing bracket).
  ast::ExprPtr spanned(size_t S, ast::ExprPtr E) {
    E->Loc = span(S);
    return E;
  }

  /// The elements of a testlist_comp after the first, up to \p Close.
  bool restOfList(std::vector<ast::ExprPtr> &Elems, size_t Close) {
    bool Comma = false;
    while (accept(Tok::COMMA)) {
      Comma = true;
      if (la() == Close)
        break;
      Elems.push_back(namedOrStar());
    }
    expect(Close);
    return Comma;
  }

  /// atom
  ast::ExprPtr atom() {
    Nest N(Depth);
    const size_t S = Pos;
    switch (la()) {
    case Tok::NAME: {
      ++Pos;
      auto E = node<ast::Name>(span(S));
      E->Id = text(S);
      return E;
    }
    case Tok::INTEGER: {
      ++Pos;
      auto E = makeInteger(text(S));
      E->Loc = span(S);
      return E;
    }
    case Tok::FLOAT_NUMBER:
    case Tok::IMAG_NUMBER: {
      ++Pos;
      auto E = node<ast::Constant>(span(S));
      E->Str = text(S);
      if (Types[S] == Tok::FLOAT_NUMBER) {
        E->Ty = ast::Constant::Type::Float;
        E->Float = parseFloat(E->Str);
      } else {
        E->Ty = ast::Constant::Type::Imaginary;
      }
      return E;
    }
    case Tok::STRING: {
      std::vector<const grammar::Lexeme *> Strings;
      while (la() == Tok::STRING)
        Strings.push_back(&Toks.Tokens[Pos++]);
      return strings(Strings, span(S));
    }
    case Tok::ELLIPSIS:
    case Tok::NONE:
    case Tok::TRUE:
    case Tok::FALSE: {
      ++Pos;
      auto E = node<ast::Constant>(span(S));
      E->Ty = Types[S] == Tok::ELLIPSIS ? ast::Constant::Type::Ellipsis
              : Types[S] == Tok::NONE   ? ast::Constant::Type::None
              : Types[S] == Tok::TRUE   ? ast::Constant::Type::True
                                        : ast::Constant::Type::False;
      return E;
    }
    case Tok::OPEN_PAREN:
      return parenAtom();
    case Tok::OPEN_BRACK:
      return listAtom();
    case Tok::OPEN_BRACE:
      return braceAtom();
    default:
      throw Decline{};
    }
  }

  /// OPEN_PAREN ( yield_expr | testlist_comp )? CLOSE_PAREN
  ast::ExprPtr parenAtom() {
    const size_t S = Pos++;
    if (accept(Tok::CLOSE_PAREN))
      return tupleOrSingle(span(S), {}, true);
    if (la() == Tok::YIELD) {
      yieldExpr();
      expect(Tok::CLOSE_PAREN);
      return unsupported(span(S), Construct::YieldExpr);
    }
    std::vector<ast::ExprPtr> Elems;
    Elems.push_back(namedOrStar());
    if (atCompFor()) {
      ast::ExprPtr G = comp(S, ast::Comp::Form::Generator, std::move(Elems.front()), nullptr);
      expect(Tok::CLOSE_PAREN);
      return spanned(S, std::move(G));
    }
    bool Comma = restOfList(Elems, Tok::CLOSE_PAREN);
    return tupleOrSingle(span(S), std::move(Elems), Comma);
  }

  /// OPEN_BRACK testlist_comp? CLOSE_BRACK
  ast::ExprPtr listAtom() {
    const size_t S = Pos++;
    auto L = std::make_unique<ast::Sequence>(ast::ExprKind::List);
    if (accept(Tok::CLOSE_BRACK)) {
      L->Loc = span(S);
      return L;
    }
    ast::ExprPtr First = namedOrStar();
    if (atCompFor()) {
      ast::ExprPtr LC = comp(S, ast::Comp::Form::List, std::move(First), nullptr);
      expect(Tok::CLOSE_BRACK);
      return spanned(S, std::move(LC));
    }
    L->Elts.push_back(std::move(First));
    restOfList(L->Elts, Tok::CLOSE_BRACK);
    L->Loc = span(S);
    return L;
  }

  /// OPEN_BRACE dictorsetmaker? CLOSE_BRACE
  ast::ExprPtr braceAtom() {
    const size_t S = Pos++;
    if (accept(Tok::CLOSE_BRACE))
      return node<ast::Dict>(span(S));
    if (la() == Tok::STAR) { // set_maker
      auto Set = std::make_unique<ast::Sequence>(ast::ExprKind::Set);
      Set->Elts.push_back(starExpr());
      return setMaker(S, std::move(Set));
    }
    auto D = std::make_unique<ast::Dict>();
    if (accept(Tok::POWER)) {
      D->Keys.push_back(nullptr);
      D->Values.push_back(bexpr());
    } else {
      ast::ExprPtr First = test();
      if (!accept(Tok::COLON)) {
        auto Set = std::make_unique<ast::Sequence>(ast::ExprKind::Set);
        Set->Elts.push_back(std::move(First));
        return setMaker(S, std::move(Set));
      }
      D->Keys.push_back(std::move(First));
      D->Values.push_back(test());
    }
    if (atCompFor()) {
      ast::ExprPtr DC = comp(S, ast::Comp::Form::Dict, std::move(D->Keys.front()),
                             std::move(D->Values.front()));
      expect(Tok::CLOSE_BRACE);
      return spanned(S, std::move(DC));
    }
    // ( COMMA dict_item )* COMMA?, with dict_item: test COLON test | POWER bexpr
    while (accept(Tok::COMMA) && la() != Tok::CLOSE_BRACE) {
      if (accept(Tok::POWER)) {
        D->Keys.push_back(nullptr);
        D->Values.push_back(bexpr());
      } else {
        D->Keys.push_back(test());
        expect(Tok::COLON);
        D->Values.push_back(test());
      }
    }
    expect(Tok::CLOSE_BRACE);
    D->Loc = span(S);
    return D;
  }

  /// The rest of a set_maker whose first element is in \p Set.
  ast::ExprPtr setMaker(size_t S, std::unique_ptr<ast::Sequence> Set) {
    if (atCompFor()) {
      ast::ExprPtr SC = comp(S, ast::Comp::Form::Set, std::move(Set->Elts.front()), nullptr);
      expect(Tok::CLOSE_BRACE);
      return spanned(S, std::move(SC));
    }
    while (accept(Tok::COMMA) && la() != Tok::CLOSE_BRACE)
      Set->Elts.push_back(testOrStar());
    expect(Tok::CLOSE_BRACE);
    Set->Loc = span(S);
    return Set;
  }

  ast::ExprPtr parseField(const std::string &Text, SourceLoc At) override;
};

ast::ExprPtr FastParser::parseField(const std::string &Text, SourceLoc At) {
  std::string Wrapped = wrapField(Text);
  LexedTokens Sub(Wrapped);
  if (!Sub.fill())
    throw Decline{};
  LocMap SubLM(LM.file(), Wrapped, 0);
  FastParser P(Sub, SubLM, DE);
  ast::ExprPtr E = P.exprInput();
  if (P.failed())
    throw Decline{};
  placeField(*E, At);
  return E;
}

} // namespace

std::unique_ptr<ast::Module> fastParseModule(const std::string &Text, const LocMap &LM) {
  LexedTokens Toks(Text);
  if (!Toks.fill())
    return nullptr;
  DiagnosticEngine Scratch;
  FastParser P(Toks, LM, Scratch);
  auto M = std::make_unique<ast::Module>();
  M->File = LM.file();
  try {
    P.fileInput(M->Stmts);
  } catch (const Decline &) {
    return nullptr;
  }
  if (P.failed())
    return nullptr;
  return M;
}

} // namespace svic::frontend
