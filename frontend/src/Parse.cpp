//===- Parse.cpp - Source text to the Python AST ----------------------------===//
///
/// \file
/// Encoding checks, then the hand-written parser (FastParse.cpp); where it
/// declines, the two-stage ANTLR parse (SLL with bail-out, then LL with error
/// reporting), the mapping of parser errors to svic diagnostics, and the parse
/// tree -> AST builder (literals and f-string fields: AstBuilding.cpp).
//===----------------------------------------------------------------------===//

#include "svic/frontend/Parse.h"

#include "AstBuilding.h"
#include "FastParse.h"
#include "StackGuard.h"
#include "Strings.h"
#include "svic/ir/IR.h"

#include "PyroParser.h"
#include "antlr4-runtime.h"
#include "svic/grammar/IndentingLexer.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace svic::frontend {

using grammar::IndentingLexer;
using grammar::LexError;
using P = grammar::PyroParser;
using antlr4::Token;
using antlr4::tree::ParseTree;
using antlr4::tree::TerminalNode;

namespace {

//===-- Syntax errors ------------------------------------------------------------===//

struct ParseError {
  DiagId Id = DiagId::Syntax;
  size_t Line = 0, Column = 0; // ANTLR units
  std::string Message;
  bool FromErrorToken = false;
};

class FirstErrorListener : public antlr4::BaseErrorListener {
public:
  std::optional<ParseError> First;

  void syntaxError(antlr4::Recognizer *Rec, Token *Offending, size_t Line, size_t Col,
                   const std::string &Msg, std::exception_ptr) override {
    if (First)
      return;
    ParseError E;
    E.Line = Line;
    E.Column = Col;
    auto *Parser = dynamic_cast<antlr4::Parser *>(Rec);
    antlr4::misc::IntervalSet Expected;
    if (Parser) {
      try {
        Expected = Parser->getExpectedTokens();
      } catch (...) {
      }
    }
    size_t Type = Offending ? Offending->getType() : Token::INVALID_TYPE;
    auto Spell = [&](size_t T) -> std::string {
      if (!Parser)
        return "token";
      return Parser->getVocabulary().getDisplayName(T);
    };
    if (Type == P::ERROR_CHAR || Type == P::UNTERMINATED_STRING ||
        Type == P::UNTERMINATED_LONG_STRING) {
      E.FromErrorToken = true;
    } else if (Type == P::INDENT) {
      E.Id = DiagId::Indentation;
      E.Message = "unexpected indent";
    } else if (Expected.contains(static_cast<size_t>(P::INDENT))) {
      E.Id = DiagId::Indentation;
      E.Message = "expected an indented block";
    } else if (Type == P::NEWLINE && Expected.contains(static_cast<size_t>(P::COLON))) {
      E.Message = "invalid syntax: expected ':'";
    } else if (Expected.size() == 1 && Expected.toList()[0] != P::NAME &&
               Expected.toList()[0] > 0) {
      E.Message = "invalid syntax: expected " + Spell(static_cast<size_t>(Expected.toList()[0]));
      if (Type == Token::EOF)
        E.Message += " before the end of the file";
      else if (Type == P::NEWLINE)
        E.Message += " before the end of the line";
      else if (Offending)
        E.Message += ", found '" + Offending->getText() + "'";
    } else if (Type == Token::EOF) {
      E.Message = "invalid syntax: unexpected end of file";
    } else if (Type == P::NEWLINE) {
      E.Message = "invalid syntax: unexpected end of line";
    } else if (Type == P::DEDENT) {
      E.Message = "invalid syntax: unexpected end of the indented block";
    } else if (Offending) {
      std::string Text = Offending->getText();
      if (Text.size() > 40)
        Text = Text.substr(0, 37) + "...";
      E.Message = "invalid syntax: unexpected '" + Text + "'";
      if (Type == P::STRING && Offending->getTokenIndex() > 0)
        E.Message += " (a missing comma or operator?)";
    } else {
      E.Message = "invalid syntax: " + Msg;
    }
    First = std::move(E);
  }
};

//===-- The builder --------------------------------------------------------------------===//

class Builder : public BuilderBase {
public:
  Builder(const LocMap &LM, antlr4::CommonTokenStream &Tokens, const SourceManager &SM,
          DiagnosticEngine &DE)
      : BuilderBase(LM, DE), Tokens(Tokens), SM(SM) {}

  /// Reports (once) and returns true when the input is nested too deeply to
  /// build its AST recursively.
  bool tooDeep(antlr4::ParserRuleContext *Ctx) {
    if (!Guard.exceeded())
      return false;
    nestedTooDeeply(LM.start(Ctx->getStart()));
    return true;
  }

  void fileInput(P::File_inputContext *Ctx, ast::Body &Out) {
    for (P::StmtContext *S : Ctx->stmt())
      stmt(S, Out);
  }

  ast::ExprPtr exprInput(P::Expr_inputContext *Ctx) { return testlist(Ctx->testlist()); }

private:
  friend class Streamer; // builds a file statement by statement
  antlr4::CommonTokenStream &Tokens;
  const SourceManager &SM;
  StackGuard Guard{3u << 20};

  //===-- locations --===//
  const Token *lastReal(const Token *T) const {
    ssize_t I = static_cast<ssize_t>(T->getTokenIndex());
    while (I > 0 && isLayoutToken(Tokens.get(static_cast<size_t>(I))->getType()))
      --I;
    return Tokens.get(static_cast<size_t>(I));
  }
  SourceLoc loc(antlr4::ParserRuleContext *Ctx) const {
    return LM.span(Ctx->getStart(), lastReal(Ctx->getStop()));
  }
  SourceLoc loc(TerminalNode *N) const { return LM.span(N->getSymbol(), N->getSymbol()); }
  SourceLoc loc(const Token *From, const Token *To) const { return LM.span(From, lastReal(To)); }

  //===-- statements --===//
  void stmt(P::StmtContext *Ctx, ast::Body &Out) {
    if (tooDeep(Ctx))
      return;
    if (auto *S = Ctx->simple_stmts())
      simpleStmts(S, Out);
    else
      compound(Ctx->compound_stmt(), Out);
  }

  void simpleStmts(P::Simple_stmtsContext *Ctx, ast::Body &Out) {
    for (P::Simple_stmtContext *S : Ctx->simple_stmt())
      Out.push_back(simpleStmt(S));
  }

  ast::Body block(P::BlockContext *Ctx) {
    ast::Body Out;
    if (auto *S = Ctx->simple_stmts())
      simpleStmts(S, Out);
    else
      for (P::StmtContext *S : Ctx->stmt())
        stmt(S, Out);
    return Out;
  }

  ast::StmtPtr simpleStmt(P::Simple_stmtContext *Ctx) {
    SourceLoc L = loc(Ctx);
    if (auto *E = dynamic_cast<P::Expression_stmtContext *>(Ctx))
      return exprStmt(E->expr_stmt());
    if (dynamic_cast<P::Pass_stmtContext *>(Ctx))
      return node<ast::Pass>(L);
    if (dynamic_cast<P::Break_stmtContext *>(Ctx))
      return unsupportedStmt(L, Construct::Break);
    if (dynamic_cast<P::Continue_stmtContext *>(Ctx))
      return unsupportedStmt(L, Construct::Continue);
    if (auto *R = dynamic_cast<P::Return_stmtContext *>(Ctx)) {
      auto Ret = node<ast::Return>(L);
      if (R->testlist_star_expr())
        Ret->Value = testlistStar(R->testlist_star_expr());
      return Ret;
    }
    if (dynamic_cast<P::Yield_stmtContext *>(Ctx))
      return unsupportedStmt(L, Construct::YieldStmt);
    if (dynamic_cast<P::Raise_stmtContext *>(Ctx))
      return unsupportedStmt(L, Construct::Raise);
    if (dynamic_cast<P::Del_stmtContext *>(Ctx))
      return unsupportedStmt(L, Construct::Del);
    if (auto *G = dynamic_cast<P::Global_stmtContext *>(Ctx)) {
      auto S = unsupportedStmt(L, Construct::Global);
      for (TerminalNode *N : G->NAME())
        S->Names.push_back(N->getText());
      return S;
    }
    if (auto *N = dynamic_cast<P::Nonlocal_stmtContext *>(Ctx)) {
      auto S = unsupportedStmt(L, Construct::Nonlocal);
      for (TerminalNode *T : N->NAME())
        S->Names.push_back(T->getText());
      return S;
    }
    if (auto *A = dynamic_cast<P::Assert_stmtContext *>(Ctx)) {
      auto S = node<ast::Assert>(L);
      S->Test = test(A->test(0));
      if (A->test().size() > 1)
        S->Msg = test(A->test(1));
      return S;
    }
    if (auto *I = dynamic_cast<P::Import_nameContext *>(Ctx)) {
      auto S = node<ast::Import>(L);
      for (P::Dotted_as_nameContext *D : I->dotted_as_name()) {
        ast::Alias A;
        A.Name = D->dotted_name()->getText();
        if (D->NAME())
          A.AsName = D->NAME()->getText();
        A.Loc = loc(D);
        S->Names.push_back(std::move(A));
      }
      return S;
    }
    auto *F = dynamic_cast<P::Import_fromContext *>(Ctx);
    auto S = node<ast::ImportFrom>(L);
    S->Level = static_cast<int>(F->DOT().size() + 3 * F->ELLIPSIS().size());
    if (F->dotted_name())
      S->Module = F->dotted_name()->getText();
    if (F->STAR()) {
      S->Names.push_back(ast::Alias{"*", "", loc(F->STAR())});
    } else {
      for (P::Import_as_nameContext *N : F->import_as_names()->import_as_name()) {
        ast::Alias A;
        A.Name = N->NAME(0)->getText();
        if (N->NAME().size() > 1)
          A.AsName = N->NAME(1)->getText();
        A.Loc = loc(N);
        S->Names.push_back(std::move(A));
      }
    }
    return S;
  }

  ast::ExprPtr assignValue(P::Assign_valueContext *Ctx) {
    if (Ctx->yield_expr())
      return unsupported(loc(Ctx), Construct::YieldExpr);
    return testlistStar(Ctx->testlist_star_expr());
  }

  ast::StmtPtr exprStmt(P::Expr_stmtContext *Ctx) {
    SourceLoc L = loc(Ctx);
    ast::ExprPtr First = testlistStar(Ctx->testlist_star_expr());
    if (Ctx->COLON()) {
      auto S = node<ast::AnnAssign>(L);
      S->Target = std::move(First);
      S->Annotation = test(Ctx->test());
      if (!Ctx->assign_value().empty())
        S->Value = assignValue(Ctx->assign_value(0));
      return S;
    }
    if (auto *Aug = Ctx->augassign()) {
      auto S = node<ast::AugAssign>(L);
      S->Target = std::move(First);
      S->Value = assignValue(Ctx->assign_value(0));
      S->Op = augOpOfToken(Aug->getStart()->getType());
      return S;
    }
    std::vector<P::Assign_valueContext *> Values = Ctx->assign_value();
    if (Values.empty()) {
      auto S = node<ast::ExprStmt>(L);
      S->Value = std::move(First);
      return S;
    }
    auto S = node<ast::Assign>(L);
    S->Targets.push_back(std::move(First));
    for (size_t I = 0; I + 1 < Values.size(); ++I)
      S->Targets.push_back(assignValue(Values[I]));
    S->Value = assignValue(Values.back());
    return S;
  }

  void compound(P::Compound_stmtContext *Ctx, ast::Body &Out) {
    SourceLoc L = loc(Ctx);
    if (auto *I = Ctx->if_stmt()) {
      Out.push_back(ifStmt(I));
    } else if (auto *W = Ctx->while_stmt()) {
      auto S = node<ast::While>(L);
      S->Test = namedexprTest(W->namedexpr_test());
      S->Loop = block(W->block());
      if (W->else_clause())
        S->OrElse = block(W->else_clause()->block());
      Out.push_back(std::move(S));
    } else if (auto *F = Ctx->for_stmt()) {
      Out.push_back(forStmt(F));
    } else if (auto *T = Ctx->try_stmt()) {
      Out.push_back(tryStmt(T));
    } else if (auto *W = Ctx->with_stmt()) {
      Out.push_back(withStmt(W));
    } else if (auto *D = Ctx->funcdef()) {
      Out.push_back(funcdef(D, {}));
    } else if (auto *C = Ctx->classdef()) {
      Out.push_back(classdef(C, {}));
    } else if (auto *D = Ctx->decorated()) {
      std::vector<ast::ExprPtr> Decorators;
      for (P::DecoratorContext *Dec : D->decorator())
        Decorators.push_back(decorator(Dec));
      if (D->funcdef())
        Out.push_back(funcdef(D->funcdef(), std::move(Decorators)));
      else if (D->classdef())
        Out.push_back(classdef(D->classdef(), std::move(Decorators)));
      else {
        ast::StmtPtr S = asyncStmt(D->async_stmt());
        if (auto *F = ir::dyn_cast<ast::FunctionDef>(S.get()))
          F->Decorators = std::move(Decorators);
        Out.push_back(std::move(S));
      }
    } else if (Ctx->match_stmt()) {
      Out.push_back(unsupportedStmt(L, Construct::Match));
    } else {
      Out.push_back(asyncStmt(Ctx->async_stmt()));
    }
  }

  ast::StmtPtr classdef(P::ClassdefContext *Ctx, std::vector<ast::ExprPtr> Decorators) {
    std::unique_ptr<ast::ClassDef> S = classHead(Ctx->classdef_head(), std::move(Decorators));
    S->Loc = loc(Ctx);
    S->Inner = block(Ctx->block());
    return S;
  }

  /// A class without its body and location.
  std::unique_ptr<ast::ClassDef> classHead(P::Classdef_headContext *Ctx,
                                           std::vector<ast::ExprPtr> Decorators) {
    auto S = std::make_unique<ast::ClassDef>();
    S->Name = Ctx->NAME()->getText();
    S->Decorators = std::move(Decorators);
    if (Ctx->arglist()) {
      std::vector<ast::Arg> Args;
      arglist(Ctx->arglist(), Args);
      setClassArgs(*S, std::move(Args));
    }
    return S;
  }

  ast::StmtPtr tryStmt(P::Try_stmtContext *Ctx) {
    auto S = node<ast::Try>(loc(Ctx));
    S->Inner = block(Ctx->block(0));
    std::vector<P::Except_clauseContext *> Clauses = Ctx->except_clause();
    for (size_t I = 0; I < Clauses.size(); ++I) {
      ast::Try::Handler H;
      H.Loc = loc(Clauses[I]);
      S->Star |= Clauses[I]->STAR() != nullptr;
      if (Clauses[I]->test())
        H.Type = test(Clauses[I]->test());
      if (Clauses[I]->NAME())
        H.Name = Clauses[I]->NAME()->getText();
      H.Inner = block(Ctx->block(I + 1));
      S->Handlers.push_back(std::move(H));
    }
    if (Ctx->else_clause())
      S->OrElse = block(Ctx->else_clause()->block());
    if (Ctx->finally_clause())
      S->Finally = block(Ctx->finally_clause()->block());
    return S;
  }

  ast::StmtPtr asyncStmt(P::Async_stmtContext *Ctx) {
    SourceLoc L = loc(Ctx);
    if (Ctx->funcdef()) {
      // Kept as a function so that an async entry is found and then rejected.
      ast::StmtPtr F = funcdef(Ctx->funcdef(), {});
      F->Loc = L;
      static_cast<ast::FunctionDef *>(F.get())->IsAsync = true;
      return F;
    }
    if (Ctx->with_stmt())
      return unsupportedStmt(L, Construct::AsyncWith);
    return unsupportedStmt(L, Construct::AsyncFor);
  }

  ast::StmtPtr ifStmt(P::If_stmtContext *Ctx) {
    auto Root = node<ast::If>(loc(Ctx));
    Root->Test = namedexprTest(Ctx->namedexpr_test());
    Root->Then = block(Ctx->block());
    ast::If *Cur = Root.get();
    for (P::Elif_clauseContext *E : Ctx->elif_clause()) {
      auto Next = node<ast::If>(loc(E->getStart(), Ctx->getStop()));
      Next->IsElif = true;
      Next->Test = namedexprTest(E->namedexpr_test());
      Next->Then = block(E->block());
      ast::If *NextPtr = Next.get();
      Cur->OrElse.push_back(std::move(Next));
      Cur = NextPtr;
    }
    if (Ctx->else_clause())
      Cur->OrElse = block(Ctx->else_clause()->block());
    return Root;
  }

  ast::StmtPtr forStmt(P::For_stmtContext *Ctx) {
    auto S = node<ast::For>(loc(Ctx));
    S->Target = exprlist(Ctx->exprlist());
    S->Iter = testlistStar(Ctx->testlist_star_expr());
    S->Loop = block(Ctx->block());
    if (Ctx->else_clause())
      S->OrElse = block(Ctx->else_clause()->block());
    return S;
  }

  ast::StmtPtr withStmt(P::With_stmtContext *Ctx) {
    auto S = node<ast::With>(loc(Ctx));
    for (P::With_itemContext *I : Ctx->with_item()) {
      ast::WithItem Item;
      Item.Context = test(I->test());
      if (I->bexpr())
        Item.Var = bexpr(I->bexpr());
      S->Items.push_back(std::move(Item));
    }
    S->Inner = block(Ctx->block());
    return S;
  }

  ast::StmtPtr funcdef(P::FuncdefContext *Ctx, std::vector<ast::ExprPtr> Decorators) {
    std::unique_ptr<ast::FunctionDef> S = funcHead(Ctx->funcdef_head(), std::move(Decorators));
    S->Loc = loc(Ctx);
    S->Inner = block(Ctx->block());
    return S;
  }

  /// A function without its body and location.
  std::unique_ptr<ast::FunctionDef> funcHead(P::Funcdef_headContext *Ctx,
                                             std::vector<ast::ExprPtr> Decorators) {
    auto S = std::make_unique<ast::FunctionDef>();
    S->Name = Ctx->NAME()->getText();
    S->Decorators = std::move(Decorators);
    if (auto *Ps = Ctx->parameters()) {
      for (P::ParameterContext *PC : Ps->parameter()) {
        ast::Param Prm;
        Prm.Loc = loc(PC);
        if (auto *Plain = dynamic_cast<P::Plain_paramContext *>(PC)) {
          Prm.Name = Plain->NAME()->getText();
          if (Plain->ASSIGN())
            Prm.Default = test(Plain->test().back());
        } else if (auto *Star = dynamic_cast<P::Star_paramContext *>(PC)) {
          if (Star->NAME()) {
            Prm.K = ast::Param::Kind::VarArgs;
            Prm.Name = Star->NAME()->getText();
          } else {
            Prm.K = ast::Param::Kind::KwOnlyMarker;
          }
        } else if (auto *DStar = dynamic_cast<P::Dstar_paramContext *>(PC)) {
          Prm.K = ast::Param::Kind::VarKeywords;
          Prm.Name = DStar->NAME()->getText();
        } else {
          Prm.K = ast::Param::Kind::PosOnlyMarker;
        }
        S->Params.push_back(std::move(Prm));
      }
    }
    return S;
  }

  ast::ExprPtr decorator(P::DecoratorContext *Ctx) { return namedexprTest(Ctx->namedexpr_test()); }

  //===-- expression lists --===//
  ast::ExprPtr tupleOrSingle(antlr4::ParserRuleContext *Ctx, std::vector<ast::ExprPtr> Elems,
                             bool HasComma) {
    return frontend::tupleOrSingle(loc(Ctx), std::move(Elems), HasComma);
  }

  /// Elements of a comma list whose children mix rule contexts and commas.
  std::vector<ast::ExprPtr> listElements(antlr4::ParserRuleContext *Ctx, bool &HasComma) {
    std::vector<ast::ExprPtr> Elems;
    HasComma = false;
    for (ParseTree *C : Ctx->children) {
      if (auto *T = dynamic_cast<P::TestContext *>(C))
        Elems.push_back(test(T));
      else if (auto *S = dynamic_cast<P::Star_exprContext *>(C))
        Elems.push_back(starExpr(S));
      else if (auto *E = dynamic_cast<P::BexprContext *>(C))
        Elems.push_back(bexpr(E));
      else if (auto *N = dynamic_cast<P::Namedexpr_testContext *>(C))
        Elems.push_back(namedexprTest(N));
      else if (auto *Tn = dynamic_cast<TerminalNode *>(C))
        HasComma |= Tn->getSymbol()->getType() == P::COMMA;
    }
    return Elems;
  }

  ast::ExprPtr testlist(P::TestlistContext *Ctx) {
    bool Comma;
    auto Elems = listElements(Ctx, Comma);
    return tupleOrSingle(Ctx, std::move(Elems), Comma);
  }
  ast::ExprPtr testlistStar(P::Testlist_star_exprContext *Ctx) {
    bool Comma;
    auto Elems = listElements(Ctx, Comma);
    return tupleOrSingle(Ctx, std::move(Elems), Comma);
  }
  ast::ExprPtr exprlist(P::ExprlistContext *Ctx) {
    bool Comma;
    auto Elems = listElements(Ctx, Comma);
    return tupleOrSingle(Ctx, std::move(Elems), Comma);
  }

  //===-- expressions --===//
  ast::ExprPtr namedexprTest(P::Namedexpr_testContext *Ctx) {
    if (Ctx->WALRUS()) {
      auto U = unsupported(loc(Ctx), Construct::Walrus);
      U->Children.push_back(test(Ctx->test(0)));
      U->Children.push_back(test(Ctx->test(1)));
      return U;
    }
    return test(Ctx->test(0));
  }

  template <typename T> static T *only(antlr4::ParserRuleContext *Ctx) {
    return static_cast<T *>(Ctx->children[0]);
  }
  static size_t ruleOf(ParseTree *T) {
    return static_cast<antlr4::ParserRuleContext *>(T)->getRuleIndex();
  }
  /// The type of the token right after the subtree \p Left (a binary operator).
  size_t tokenAfter(antlr4::ParserRuleContext *Left) {
    return Tokens.get(Left->getStop()->getTokenIndex() + 1)->getType();
  }

  ast::ExprPtr test(P::TestContext *Ctx) {
    if (tooDeep(Ctx))
      return node<ast::Constant>(loc(Ctx));
    // The hot path: a plain expression.
    if (Ctx->children.size() == 1 && ruleOf(Ctx->children[0]) == P::RuleLexpr)
      return lexpr(only<P::LexprContext>(Ctx));
    if (auto *L = Ctx->lambdef())
      return lambda(L, L->lambda_params(), test(L->test()));
    auto E = node<ast::IfExp>(loc(Ctx));
    E->Body = lexpr(static_cast<P::LexprContext *>(Ctx->children[0]));
    E->Test = lexpr(static_cast<P::LexprContext *>(Ctx->children[2]));
    E->OrElse = test(static_cast<P::TestContext *>(Ctx->children[4]));
    return E;
  }

  ast::ExprPtr testNocond(P::Test_nocondContext *Ctx) {
    if (auto *L = Ctx->lambdef_nocond())
      return lambda(L, L->lambda_params(), testNocond(L->test_nocond()));
    return lexpr(Ctx->lexpr());
  }

  /// `lambda params: body`.
  ast::ExprPtr lambda(antlr4::ParserRuleContext *Ctx, P::Lambda_paramsContext *Ps,
                      ast::ExprPtr Body) {
    std::vector<ast::Param> Params;
    if (Ps)
      for (P::Lambda_paramContext *PC : Ps->lambda_param()) {
        ast::Param Prm;
        Prm.Loc = loc(PC);
        if (PC->DIV()) {
          Prm.K = ast::Param::Kind::PosOnlyMarker;
        } else if (PC->POWER()) {
          Prm.K = ast::Param::Kind::VarKeywords;
          Prm.Name = PC->NAME()->getText();
        } else if (PC->STAR()) {
          Prm.K = PC->NAME() ? ast::Param::Kind::VarArgs : ast::Param::Kind::KwOnlyMarker;
          if (PC->NAME())
            Prm.Name = PC->NAME()->getText();
        } else {
          Prm.Name = PC->NAME()->getText();
          if (PC->test())
            Prm.Default = test(PC->test());
        }
        Params.push_back(std::move(Prm));
      }
    return makeLambda(loc(Ctx), std::move(Params), std::move(Body));
  }

  /// `lexpr`: comparisons, `not`, `and`, `or`.
  ast::ExprPtr lexpr(P::LexprContext *Ctx) {
    if (tooDeep(Ctx))
      return node<ast::Constant>(loc(Ctx));
    const size_t N = Ctx->children.size();
    if (N == 1)
      return bexpr(only<P::BexprContext>(Ctx));
    if (N == 2) { // NOT lexpr
      auto E = node<ast::UnaryOp>(loc(Ctx));
      E->Op = ast::UnaryOpKind::Not;
      E->Operand = lexpr(static_cast<P::LexprContext *>(Ctx->children[1]));
      return E;
    }
    auto *Left = static_cast<P::LexprContext *>(Ctx->children[0]);
    auto *Right = static_cast<P::LexprContext *>(Ctx->children[2]);
    const size_t Op = tokenAfter(Left);
    if (Op == P::AND || Op == P::OR) {
      // Flatten `a and b and c` (left-nested) into one BoolOp, iteratively.
      auto E = node<ast::BoolOp>(loc(Ctx));
      E->IsAnd = Op == P::AND;
      std::vector<P::LexprContext *> Rights{Right};
      P::LexprContext *Cur = Left;
      while (Cur->children.size() == 3 &&
             tokenAfter(static_cast<P::LexprContext *>(Cur->children[0])) == Op) {
        Rights.push_back(static_cast<P::LexprContext *>(Cur->children[2]));
        Cur = static_cast<P::LexprContext *>(Cur->children[0]);
      }
      E->Values.push_back(lexpr(Cur));
      for (size_t I = Rights.size(); I-- > 0;)
        E->Values.push_back(lexpr(Rights[I]));
      return E;
    }
    // A comparison; `a < b < c` is left-nested and becomes one chained Compare.
    auto E = node<ast::Compare>(loc(Ctx));
    std::vector<P::LexprContext *> Operands{Right};
    std::vector<P::Comp_opContext *> Ops{static_cast<P::Comp_opContext *>(Ctx->children[1])};
    P::LexprContext *Cur = Left;
    while (Cur->children.size() == 3) {
      const size_t Inner = tokenAfter(static_cast<P::LexprContext *>(Cur->children[0]));
      if (Inner == P::AND || Inner == P::OR)
        break;
      Ops.push_back(static_cast<P::Comp_opContext *>(Cur->children[1]));
      Operands.push_back(static_cast<P::LexprContext *>(Cur->children[2]));
      Cur = static_cast<P::LexprContext *>(Cur->children[0]);
    }
    E->Left = lexpr(Cur);
    for (size_t I = Ops.size(); I-- > 0;) {
      E->Ops.push_back(compOp(Ops[I]));
      E->Comparators.push_back(lexpr(Operands[I]));
    }
    return E;
  }

  ast::CmpOpKind compOp(P::Comp_opContext *Op) {
    return cmpOpOfTokens(Op->getStart()->getType(),
                         Tokens.get(Op->getStart()->getTokenIndex() + 1)->getType());
  }

  ast::ExprPtr starExpr(P::Star_exprContext *Ctx) {
    auto E = node<ast::Starred>(loc(Ctx));
    E->Value = bexpr(Ctx->bexpr());
    return E;
  }

  /// `bexpr`: arithmetic, bitwise, unary and power operators.
  ast::ExprPtr bexpr(P::BexprContext *Ctx) {
    if (tooDeep(Ctx))
      return node<ast::Constant>(loc(Ctx));
    const size_t N = Ctx->children.size();
    if (N == 1)
      return atomExpr(only<P::Atom_exprContext>(Ctx));
    if (N == 2) { // unary
      auto E = node<ast::UnaryOp>(loc(Ctx));
      const size_t Op = Ctx->getStart()->getType();
      E->Op = Op == P::ADD     ? ast::UnaryOpKind::UAdd
              : Op == P::MINUS ? ast::UnaryOpKind::USub
                               : ast::UnaryOpKind::Invert;
      E->Operand = bexpr(static_cast<P::BexprContext *>(Ctx->children[1]));
      return E;
    }
    // A binary operator. Long left-nested chains (`a + b + c + ...`) are built
    // iteratively along their left spine.
    std::vector<P::BexprContext *> Spine;
    P::BexprContext *Cur = Ctx;
    while (Cur->children.size() == 3) {
      Spine.push_back(Cur);
      Cur = static_cast<P::BexprContext *>(Cur->children[0]);
    }
    ast::ExprPtr Acc = bexpr(Cur);
    for (size_t I = Spine.size(); I-- > 0;) {
      P::BexprContext *Node = Spine[I];
      auto E = node<ast::BinOp>(loc(Node));
      E->Op = binOpOfToken(tokenAfter(static_cast<P::BexprContext *>(Node->children[0])));
      E->Left = std::move(Acc);
      E->Right = bexpr(static_cast<P::BexprContext *>(Node->children[2]));
      Acc = std::move(E);
    }
    return Acc;
  }

  ast::ExprPtr atomExpr(P::Atom_exprContext *Ctx) {
    const bool Await = Ctx->getStart()->getType() == P::AWAIT;
    auto *AtomCtx = static_cast<P::AtomContext *>(Ctx->children[Await ? 1 : 0]);
    ast::ExprPtr Cur = atom(AtomCtx);
    const Token *First = AtomCtx->getStart();
    for (size_t I = Await ? 2 : 1; I < Ctx->children.size(); ++I) {
      auto *T = static_cast<P::TrailerContext *>(Ctx->children[I]);
      if (I > 2000) { // the AST would nest this deeply
        nestedTooDeeply(LM.start(T->getStart()));
        break;
      }
      SourceLoc L = loc(First, T->getStop());
      const size_t Open = T->getStart()->getType();
      if (Open == P::OPEN_PAREN) {
        auto *C = static_cast<P::Call_trailerContext *>(T);
        auto Call = node<ast::Call>(L);
        Call->Func = std::move(Cur);
        if (C->arglist())
          arglist(C->arglist(), Call->Args);
        Cur = std::move(Call);
      } else if (Open == P::OPEN_BRACK) {
        auto *S = static_cast<P::Subscript_trailerContext *>(T);
        auto Sub = node<ast::Subscript>(L);
        Sub->Value = std::move(Cur);
        P::SubscriptlistContext *List = S->subscriptlist();
        for (P::SubscriptContext *Item : List->subscript())
          Sub->Indices.push_back(subscript(Item));
        Sub->TrailingComma = List->COMMA().size() >= List->subscript().size();
        Cur = std::move(Sub);
      } else {
        auto *A = static_cast<P::Attr_trailerContext *>(T);
        auto Attr = node<ast::Attribute>(L);
        Attr->Value = std::move(Cur);
        Attr->Attr = A->NAME()->getText();
        Cur = std::move(Attr);
      }
    }
    if (Await) {
      auto U = unsupported(loc(Ctx), Construct::Await);
      U->Children.push_back(std::move(Cur));
      return U;
    }
    return Cur;
  }

  ast::ExprPtr subscript(P::SubscriptContext *Ctx) {
    if (auto *I = dynamic_cast<P::Index_subscriptContext *>(Ctx))
      return namedexprTest(I->namedexpr_test());
    if (auto *S = dynamic_cast<P::Star_subscriptContext *>(Ctx))
      return starExpr(S->star_expr());
    auto *S = static_cast<P::Slice_subscriptContext *>(Ctx);
    auto E = node<ast::Slice>(loc(Ctx));
    if (S->lower)
      E->Lower = test(S->lower);
    if (S->upper)
      E->Upper = test(S->upper);
    if (S->step)
      E->Step = test(S->step);
    return E;
  }

  void arglist(P::ArglistContext *Ctx, std::vector<ast::Arg> &Out) {
    for (P::ArgumentContext *A : Ctx->argument()) {
      ast::Arg Arg;
      Arg.Loc = loc(A);
      if (auto *K = dynamic_cast<P::Keyword_argContext *>(A)) {
        Arg.K = ast::Arg::Kind::Keyword;
        Arg.Name = K->NAME()->getText();
        Arg.Value = test(K->test());
      } else if (auto *Pos = dynamic_cast<P::Positional_argContext *>(A)) {
        if (Pos->comp_for())
          Arg.Value = comp(loc(A), ast::Comp::Form::Generator,
                           namedexprTest(Pos->namedexpr_test()), nullptr, Pos->comp_for());
        else
          Arg.Value = namedexprTest(Pos->namedexpr_test());
      } else if (auto *S = dynamic_cast<P::Star_argContext *>(A)) {
        Arg.K = ast::Arg::Kind::Star;
        Arg.Value = test(S->test());
      } else {
        Arg.K = ast::Arg::Kind::DoubleStar;
        Arg.Value = test(static_cast<P::Dstar_argContext *>(A)->test());
      }
      Out.push_back(std::move(Arg));
    }
  }

  ast::ExprPtr atom(P::AtomContext *Ctx) {
    SourceLoc L = loc(Ctx);
    if (Ctx->getStart()->getType() == P::NAME) {
      auto E = node<ast::Name>(L);
      E->Id = Ctx->getStart()->getText();
      return E;
    }
    if (auto *I = dynamic_cast<P::Int_atomContext *>(Ctx)) {
      auto E = makeInteger(I->INTEGER()->getText());
      E->Loc = L;
      return E;
    }
    if (auto *F = dynamic_cast<P::Float_atomContext *>(Ctx)) {
      auto E = node<ast::Constant>(L);
      E->Ty = ast::Constant::Type::Float;
      E->Str = F->FLOAT_NUMBER()->getText();
      E->Float = parseFloat(E->Str);
      return E;
    }
    if (auto *Im = dynamic_cast<P::Imag_atomContext *>(Ctx)) {
      auto E = node<ast::Constant>(L);
      E->Ty = ast::Constant::Type::Imaginary;
      E->Str = Im->IMAG_NUMBER()->getText();
      return E;
    }
    if (auto *S = dynamic_cast<P::String_atomContext *>(Ctx))
      return strings(S, L);
    auto Simple = [&](ast::Constant::Type Ty) {
      auto E = node<ast::Constant>(L);
      E->Ty = Ty;
      return E;
    };
    if (dynamic_cast<P::Ellipsis_atomContext *>(Ctx))
      return Simple(ast::Constant::Type::Ellipsis);
    if (dynamic_cast<P::None_atomContext *>(Ctx))
      return Simple(ast::Constant::Type::None);
    if (dynamic_cast<P::True_atomContext *>(Ctx))
      return Simple(ast::Constant::Type::True);
    if (dynamic_cast<P::False_atomContext *>(Ctx))
      return Simple(ast::Constant::Type::False);
    if (auto *Pa = dynamic_cast<P::Paren_atomContext *>(Ctx)) {
      if (Pa->yield_expr())
        return unsupported(L, Construct::YieldExpr);
      if (!Pa->testlist_comp()) {
        auto T = std::make_unique<ast::Sequence>(ast::ExprKind::Tuple);
        T->Loc = L;
        return T;
      }
      P::Testlist_compContext *TC = Pa->testlist_comp();
      if (P::Comp_forContext *CF = TC->comp_for()) {
        bool Comma;
        return comp(L, ast::Comp::Form::Generator, std::move(listElements(TC, Comma).front()),
                    nullptr, CF);
      }
      bool Comma;
      auto Elems = listElements(TC, Comma);
      if (Elems.size() == 1 && !Comma)
        return std::move(Elems[0]);
      auto T = std::make_unique<ast::Sequence>(ast::ExprKind::Tuple);
      T->Loc = L;
      T->Elts = std::move(Elems);
      return T;
    }
    if (auto *Li = dynamic_cast<P::List_atomContext *>(Ctx)) {
      auto T = std::make_unique<ast::Sequence>(ast::ExprKind::List);
      T->Loc = L;
      if (P::Testlist_compContext *TC = Li->testlist_comp()) {
        if (P::Comp_forContext *CF = TC->comp_for()) {
          bool Comma;
          return comp(L, ast::Comp::Form::List, std::move(listElements(TC, Comma).front()),
                      nullptr, CF);
        }
        bool Comma;
        T->Elts = listElements(TC, Comma);
      }
      return T;
    }
    auto *Br = static_cast<P::Brace_atomContext *>(Ctx);
    P::DictorsetmakerContext *M = Br->dictorsetmaker();
    if (!M)
      return node<ast::Dict>(L);
    if (auto *D = dynamic_cast<P::Dict_makerContext *>(M)) {
      if (P::Comp_forContext *CF = D->comp_for()) {
        P::Dict_itemContext *Item = D->dict_item(0);
        if (Item->POWER())
          return unsupported(L, Construct::DictUnpackComp);
        return comp(L, ast::Comp::Form::Dict, test(Item->test(0)), test(Item->test(1)), CF);
      }
      auto E = node<ast::Dict>(L);
      for (P::Dict_itemContext *Item : D->dict_item()) {
        if (Item->POWER()) {
          E->Keys.push_back(nullptr);
          E->Values.push_back(bexpr(Item->bexpr()));
        } else {
          E->Keys.push_back(test(Item->test(0)));
          E->Values.push_back(test(Item->test(1)));
        }
      }
      return E;
    }
    auto *S = static_cast<P::Set_makerContext *>(M);
    bool Comma;
    std::vector<ast::ExprPtr> Elts = listElements(S, Comma);
    if (P::Comp_forContext *CF = S->comp_for())
      return comp(L, ast::Comp::Form::Set, std::move(Elts.front()), nullptr, CF);
    auto E = std::make_unique<ast::Sequence>(ast::ExprKind::Set);
    E->Loc = L;
    E->Elts = std::move(Elts);
    return E;
  }

  /// A comprehension of \p Elt (and \p Value for a dict) over the clauses
  /// from \p CF on.
  ast::ExprPtr comp(SourceLoc L, ast::Comp::Form F, ast::ExprPtr Elt, ast::ExprPtr Value,
                    P::Comp_forContext *CF) {
    auto C = node<ast::Comp>(L);
    C->F = F;
    C->Elt = std::move(Elt);
    C->Value = std::move(Value);
    while (CF) {
      if (CF->ASYNC())
        return unsupported(L, Construct::AsyncComp);
      ast::CompFor &For = C->Fors.emplace_back();
      For.Target = exprlist(CF->exprlist());
      For.Iter = lexpr(CF->lexpr());
      P::Comp_iterContext *It = CF->comp_iter();
      CF = nullptr;
      for (; It; It = It->comp_iter()) {
        if ((CF = It->comp_for()))
          break;
        For.Ifs.push_back(testNocond(It->test_nocond()));
      }
    }
    return C;
  }

  ast::ExprPtr strings(P::String_atomContext *Ctx, SourceLoc L) {
    std::vector<const Token *> Strings;
    for (TerminalNode *N : Ctx->STRING())
      Strings.push_back(N->getSymbol());
    return BuilderBase::strings(Strings, L);
  }

  ast::ExprPtr parseField(const std::string &Text, SourceLoc At) override;
};

//===-- Running the parser ------------------------------------------------------------===//

/// The generated parser with a bound on its recursion (stack use).
class GuardedParser : public P {
public:
  using P::P;
  std::optional<StackGuard> Guard;
  bool TooDeep = false;
  size_t DeepLine = 0, DeepColumn = 0;

  void enterRule(antlr4::ParserRuleContext *C, size_t State, size_t Rule) override {
    check();
    P::enterRule(C, State, Rule);
  }
  void enterRecursionRule(antlr4::ParserRuleContext *C, size_t Rule) override {
    check();
    P::enterRecursionRule(C, Rule);
  }
  void enterRecursionRule(antlr4::ParserRuleContext *C, size_t State, size_t Rule,
                          int Precedence) override {
    check();
    P::enterRecursionRule(C, State, Rule, Precedence);
  }

private:
  void check() {
    if (!Guard || !Guard->exceeded())
      return;
    TooDeep = true;
    if (Token *T = getCurrentToken()) {
      DeepLine = T->getLine();
      DeepColumn = T->getCharPositionInLine();
    }
    throw antlr4::ParseCancellationException("nesting too deep");
  }
};

struct ParseRun {
  grammar::SourceStream Input;
  IndentingLexer Lexer;
  antlr4::CommonTokenStream Tokens;
  GuardedParser Parser;
  FirstErrorListener Listener;

  explicit ParseRun(const std::string &Text)
      : Input(Text), Lexer(&Input), Tokens(&Lexer), Parser(&Tokens) {
    Parser.removeErrorListeners();
  }

  /// Two-stage parse: SLL with bail-out, then full LL with error reporting.
  template <typename Rule> auto parse(Rule R) -> decltype((Parser.*R)()) {
    Tokens.fill();
    Parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
        antlr4::atn::PredictionMode::SLL);
    Parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
    Parser.Guard.emplace(2u << 20);
    try {
      return (Parser.*R)();
    } catch (const antlr4::ParseCancellationException &) {
    } catch (const antlr4::RecognitionException &) {
    }
    if (Parser.TooDeep)
      return nullptr;
    Tokens.seek(0);
    Parser.reset();
    Parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
        antlr4::atn::PredictionMode::LL);
    Parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
    Parser.addErrorListener(&Listener);
    try {
      return (Parser.*R)();
    } catch (...) {
      if (!Listener.First) {
        ParseError E;
        E.Message = "invalid syntax";
        Listener.First = E;
      }
      return nullptr;
    }
  }

  /// Prepares the token stream and the parser for tryParse.
  void startPieces() {
    Tokens.fill();
    Parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
    Parser.Guard.emplace(2u << 20);
  }

  /// The rule \p R from the current token on (SLL, then LL), without error
  /// recovery: nullptr at a syntax error, the stream then anywhere.
  template <typename Rule> auto tryParse(Rule R) -> decltype((Parser.*R)()) {
    size_t Start = Tokens.index();
    for (antlr4::atn::PredictionMode Mode :
         {antlr4::atn::PredictionMode::SLL, antlr4::atn::PredictionMode::LL}) {
      Parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(Mode);
      try {
        return (Parser.*R)();
      } catch (const antlr4::ParseCancellationException &) {
      } catch (const antlr4::RecognitionException &) {
      }
      if (Parser.TooDeep)
        return nullptr;
      Parser.reset();
      Tokens.seek(Start);
    }
    return nullptr;
  }

  /// Frees the parse trees built so far.
  void dropTrees() { Parser.getTreeTracker().reset(); }
};

//===-- Streaming ---------------------------------------------------------------------===//

/// Builds a file's AST one statement at a time, each parse tree freed once it
/// is converted, so that the parse's peak memory no longer grows with the file
/// (ANTLR's tree costs about 10 KB a line). The bodies of `def` and `class`
/// are streamed too: a long program is mostly long functions. Gives up at the
/// first syntax error or builder diagnostic; the caller then parses the whole
/// file as one tree, which reports exactly as before.
class Streamer {
public:
  Streamer(ParseRun &Run, Builder &B) : Run(Run), Tokens(Run.Tokens), B(B) {}

  bool file(ast::Body &Out) {
    Run.startPieces();
    return Run.Lexer.errors().empty() && body(Out, /*TopLevel=*/true);
  }

private:
  ParseRun &Run;
  antlr4::CommonTokenStream &Tokens;
  Builder &B;

  /// `( NEWLINE | stmt )* EOF` at the top level, else `stmt+ DEDENT`.
  bool body(ast::Body &Out, bool TopLevel) {
    size_t Count = 0;
    for (;;) {
      size_t T = Tokens.LA(1);
      if (TopLevel && T == P::NEWLINE) {
        Tokens.consume();
        continue;
      }
      if (T == (TopLevel ? Token::EOF : static_cast<size_t>(P::DEDENT)))
        break;
      if (T == Token::EOF || !statement(Out))
        return false;
      ++Count;
    }
    if (TopLevel)
      return true;
    Tokens.consume(); // DEDENT
    return Count > 0;
  }

  bool statement(ast::Body &Out) {
    size_t Start = Tokens.index();
    if (std::optional<bool> Done = definition(Out))
      return *Done;
    Tokens.seek(Start);
    P::StmtContext *S = Run.tryParse(&P::stmt);
    if (S)
      B.stmt(S, Out);
    Run.dropTrees();
    return S && !B.failed();
  }

  /// A definition with an indented body, built head first and then statement
  /// by statement; nullopt when the statement is something else.
  std::optional<bool> definition(ast::Body &Out) {
    std::vector<ast::ExprPtr> Decorators;
    while (Tokens.LA(1) == P::AT) {
      P::DecoratorContext *D = Run.tryParse(&P::decorator);
      if (D)
        Decorators.push_back(B.decorator(D));
      Run.dropTrees();
      if (!D || B.failed())
        return false;
    }
    const Token *First = Tokens.LT(1); // `async`, `def` or `class`
    bool Async = Tokens.LA(1) == P::ASYNC && Tokens.LA(2) == P::DEF;
    if (Async)
      Tokens.consume();
    std::unique_ptr<ast::FunctionDef> Func;
    std::unique_ptr<ast::ClassDef> Class;
    if (Tokens.LA(1) == P::DEF) {
      P::Funcdef_headContext *H = Run.tryParse(&P::funcdef_head);
      if (H)
        Func = B.funcHead(H, std::move(Decorators));
    } else if (Tokens.LA(1) == P::CLASS && !Async) {
      P::Classdef_headContext *H = Run.tryParse(&P::classdef_head);
      if (H)
        Class = B.classHead(H, std::move(Decorators));
    } else {
      return std::nullopt;
    }
    Run.dropTrees();
    if ((!Func && !Class) || B.failed())
      return false;
    if (Tokens.LA(1) != P::NEWLINE || Tokens.LA(2) != P::INDENT)
      return std::nullopt; // a body on the same line
    Tokens.consume();
    Tokens.consume();
    ast::Body Inner;
    if (!body(Inner, /*TopLevel=*/false))
      return false;
    SourceLoc L = B.loc(First, Tokens.get(Tokens.index() - 1));
    if (Func) {
      Func->Loc = L;
      Func->IsAsync = Async;
      Func->Inner = std::move(Inner);
      Out.push_back(std::move(Func));
    } else {
      Class->Loc = L;
      Class->Inner = std::move(Inner);
      Out.push_back(std::move(Class));
    }
    return true;
  }
};

ast::ExprPtr Builder::parseField(const std::string &Text, SourceLoc At) {
  std::string Wrapped = wrapField(Text);
  ParseRun Run(Wrapped);
  P::Expr_inputContext *Tree = Run.parse(&P::expr_input);
  if (!Run.Lexer.errors().empty() || Run.Listener.First || !Tree || Run.Parser.TooDeep) {
    fieldError(At, Text);
    return nullptr;
  }
  LocMap Sub(LM.file(), Wrapped, 0);
  Builder B(Sub, Run.Tokens, SM, DE);
  ast::ExprPtr E = B.exprInput(Tree);
  if (B.failed()) {
    Failed = true;
    return nullptr;
  }
  placeField(*E, At);
  return E;
}

} // namespace

//===-- Entry points --------------------------------------------------------------------===//

std::unique_ptr<ast::Module> parseModule(FileId F, const SourceManager &SM, DiagnosticEngine &DE) {
  // SVIC_PARSER=antlr skips the hand-written parser (to compare the two).
  static const bool ForceAntlr = [] {
    const char *V = std::getenv("SVIC_PARSER");
    return V && std::strcmp(V, "antlr") == 0;
  }();
  return parseModule(F, SM, DE, ForceAntlr ? ParserPath::Antlr : ParserPath::Auto);
}

std::unique_ptr<ast::Module> parseModule(FileId F, const SourceManager &SM, DiagnosticEngine &DE,
                                         ParserPath Path) {
  std::string Decoded = SM.text(F);
  // A PEP 263 declaration of another encoding: read the text as CPython does.
  // Locations on non-ASCII lines then count the UTF-8 bytes of the decoded text.
  if (std::optional<std::string> Enc = declaredEncoding(Decoded);
      Enc && *Enc != "utf-8" && *Enc != "utf8" && *Enc != "utf_8" && *Enc != "ascii") {
    std::optional<std::string> Utf8 = toUtf8(Decoded, *Enc);
    if (!Utf8) {
      SourceLoc L;
      L.File = F;
      L.Line = 1;
      L.Col = 1;
      DE.report(DiagId::Encoding, L,
                "the source cannot be read in its declared encoding '" + *Enc + "'");
      return nullptr;
    }
    Decoded = std::move(*Utf8);
  }
  const std::string &Text = Decoded;
  if (std::optional<InvalidUtf8> Bad = findInvalidUtf8(Text)) {
    SourceLoc L;
    L.File = F;
    L.Line = Bad->Line;
    L.Col = Bad->Col;
    char Buf[8];
    std::snprintf(Buf, sizeof(Buf), "0x%02X", Bad->Byte);
    DE.report(DiagId::Encoding, L,
              std::string("invalid UTF-8 byte ") + Buf + " in the source; svic reads UTF-8 files");
    return nullptr;
  }
  // ANTLR drops a UTF-8 byte order mark itself; strip it here so that byte
  // columns on line 1 can be shifted back.
  uint32_t Bom = Text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  std::string Body = Bom ? Text.substr(3) : Text;
  LocMap LM(F, Body, Bom);

  if (Path != ParserPath::Antlr) {
    if (std::unique_ptr<ast::Module> M = fastParseModule(Body, LM))
      return M;
    if (Path == ParserPath::Fast)
      return nullptr;
  }

  auto M = std::make_unique<ast::Module>();
  M->File = F;
  {
    ParseRun Run(Body);
    // Builder diagnostics go to a scratch engine: the whole-file parse below
    // reports them again, in its order, when streaming gives up.
    DiagnosticEngine Scratch;
    Builder B(LM, Run.Tokens, SM, Scratch);
    Streamer S(Run, B);
    if (S.file(M->Stmts))
      return M;
    M->Stmts.clear();
  }

  auto Run = std::make_unique<ParseRun>(Body);
  P::File_inputContext *Tree = Run->parse(&P::file_input);

  // Lexer errors first; the parser's first error only if it comes before them
  // (a parse error after a lexical error is usually its consequence).
  const std::vector<LexError> &LexErrors = Run->Lexer.errors();
  for (const LexError &E : LexErrors) {
    SourceLoc L;
    L.File = F;
    L.Line = static_cast<uint32_t>(E.Line);
    L.Col = LM.colOf(E.Line, E.Column);
    DE.report(E.K == LexError::Kind::Indentation ? DiagId::Indentation : DiagId::Syntax, L,
              E.Message);
  }
  bool Errors = !LexErrors.empty();
  if (Run->Parser.TooDeep) {
    SourceLoc L;
    L.File = F;
    L.Line = static_cast<uint32_t>(Run->Parser.DeepLine);
    L.Col = LM.colOf(Run->Parser.DeepLine, Run->Parser.DeepColumn);
    DE.report(DiagId::Syntax, L,
              "the code is nested too deeply (brackets, operators or blocks); simplify it");
    return nullptr;
  }
  if (Run->Listener.First && !Run->Listener.First->FromErrorToken) {
    const ParseError &PE = *Run->Listener.First;
    bool Before = LexErrors.empty() || PE.Line < LexErrors[0].Line ||
                  (PE.Line == LexErrors[0].Line && PE.Column < LexErrors[0].Column);
    if (Before) {
      SourceLoc L;
      L.File = F;
      L.Line = static_cast<uint32_t>(PE.Line);
      L.Col = LM.colOf(PE.Line, PE.Column);
      DE.report(PE.Id, L, PE.Message);
    }
  }
  Errors |= Run->Listener.First.has_value() || !Tree;
  if (Errors)
    return nullptr;

  Builder B(LM, Run->Tokens, SM, DE);
  B.fileInput(Tree, M->Stmts);
  if (B.failed())
    return nullptr;
  return M;
}

std::string sourceText(const SourceManager &SM, const SourceLoc &Loc) {
  if (!Loc.valid() || Loc.File == 0)
    return "";
  std::string Out;
  uint32_t EndLine = Loc.EndLine ? Loc.EndLine : Loc.Line;
  for (uint32_t Line = Loc.Line; Line <= EndLine; ++Line) {
    std::string_view Text = SM.lineText(Loc.File, Line);
    size_t Begin = Line == Loc.Line ? std::min<size_t>(Loc.Col - 1, Text.size()) : 0;
    size_t End =
        Line == EndLine && Loc.EndCol ? std::min<size_t>(Loc.EndCol - 1, Text.size()) : Text.size();
    if (End < Begin)
      End = Begin;
    std::string_view Piece = Text.substr(Begin, End - Begin);
    if (Line != Loc.Line) {
      size_t Ws = Piece.find_first_not_of(" \t");
      Piece = Ws == std::string_view::npos ? std::string_view() : Piece.substr(Ws);
      if (!Out.empty() && Out.back() != ' ' && !Piece.empty())
        Out += ' ';
    }
    Out += Piece;
  }
  while (!Out.empty() && (Out.back() == ' ' || Out.back() == '\t'))
    Out.pop_back();
  return Out;
}

} // namespace svic::frontend
