// PyroParser.g4 - the whole Python 3.11 syntax (SPEC §3).
//
// Any Python file parses: what svic analyses is decided later, by what the
// entry functions reach. The rules follow the CPython grammar (3.8's LL form
// plus 3.9-3.11: parenthesised context managers, `match`, `except*`, starred
// expressions in `for`, subscripts and returns). `match` and `case` are soft
// keywords: the IndentingLexer types them MATCH/CASE only where they start a
// match statement or a case block. Labels (`# name`) give each alternative
// its own context class for the AST builder.
parser grammar PyroParser;

options { tokenVocab = PyroLexer; }

// --- entry points --------------------------------------------------------------
file_input : ( NEWLINE | stmt )* EOF ;
// One expression (the replacement fields of f-strings).
expr_input : testlist NEWLINE* EOF ;

// --- statements ------------------------------------------------------------------
stmt : simple_stmts | compound_stmt ;

simple_stmts : simple_stmt ( SEMI_COLON simple_stmt )* SEMI_COLON? NEWLINE ;

simple_stmt
  : expr_stmt                                                   # expression_stmt
  | PASS                                                        # pass_stmt
  | BREAK                                                       # break_stmt
  | CONTINUE                                                    # continue_stmt
  | RETURN testlist_star_expr?                                  # return_stmt
  | RAISE ( test ( FROM test )? )?                              # raise_stmt
  | yield_expr                                                  # yield_stmt
  | DEL exprlist                                                # del_stmt
  | GLOBAL NAME ( COMMA NAME )*                                 # global_stmt
  | NONLOCAL NAME ( COMMA NAME )*                               # nonlocal_stmt
  | ASSERT test ( COMMA test )?                                 # assert_stmt
  | IMPORT dotted_as_name ( COMMA dotted_as_name )*             # import_name
  | FROM ( DOT | ELLIPSIS )* dotted_name? IMPORT
      ( STAR | OPEN_PAREN import_as_names CLOSE_PAREN | import_as_names ) # import_from
  ;

expr_stmt
  : testlist_star_expr
    ( COLON test ( ASSIGN assign_value )?                       // annotated
    | augassign assign_value
    | ( ASSIGN assign_value )*
    )
  ;
assign_value : yield_expr | testlist_star_expr ;

augassign
  : ADD_ASSIGN | SUB_ASSIGN | MULT_ASSIGN | AT_ASSIGN | DIV_ASSIGN | MOD_ASSIGN
  | AND_ASSIGN | OR_ASSIGN | XOR_ASSIGN | LEFT_SHIFT_ASSIGN | RIGHT_SHIFT_ASSIGN
  | POWER_ASSIGN | IDIV_ASSIGN
  ;

dotted_as_name  : dotted_name ( AS NAME )? ;
import_as_name  : NAME ( AS NAME )? ;
import_as_names : import_as_name ( COMMA import_as_name )* COMMA? ;
dotted_name     : NAME ( DOT NAME )* ;

compound_stmt
  : if_stmt
  | while_stmt
  | for_stmt
  | try_stmt
  | with_stmt
  | funcdef
  | classdef
  | decorated
  | async_stmt
  | match_stmt
  ;

if_stmt    : IF namedexpr_test COLON block elif_clause* else_clause? ;
elif_clause: ELIF namedexpr_test COLON block ;
else_clause: ELSE COLON block ;
while_stmt : WHILE namedexpr_test COLON block else_clause? ;
for_stmt   : FOR exprlist IN testlist_star_expr COLON block else_clause? ;
try_stmt
  : TRY COLON block
    ( ( except_clause COLON block )+ else_clause? finally_clause?
    | finally_clause
    )
  ;
except_clause  : EXCEPT STAR? ( test ( AS NAME )? )? ;
finally_clause : FINALLY COLON block ;
with_stmt
  : WITH ( OPEN_PAREN with_item ( COMMA with_item )* COMMA? CLOSE_PAREN
         | with_item ( COMMA with_item )* ) COLON block
  ;
with_item  : test ( AS bexpr )? ;

// The heads of definitions are rules of their own: the frontend parses a long
// body one statement at a time (Parse.cpp, "Streaming").
funcdef    : funcdef_head block ;
funcdef_head : DEF NAME OPEN_PAREN parameters? CLOSE_PAREN ( ARROW test )? COLON ;
parameters : parameter ( COMMA parameter )* COMMA? ;
parameter
  : NAME ( COLON test )? ( ASSIGN test )?                       # plain_param
  | STAR ( NAME ( COLON ( test | star_expr ) )? )?              # star_param
  | POWER NAME ( COLON test )?                                  # dstar_param
  | DIV                                                         # posonly_marker
  ;
classdef   : classdef_head block ;
classdef_head : CLASS NAME ( OPEN_PAREN arglist? CLOSE_PAREN )? COLON ;
decorator  : AT namedexpr_test NEWLINE ;
decorated  : decorator+ ( classdef | funcdef | async_stmt ) ;
async_stmt : ASYNC ( funcdef | with_stmt | for_stmt ) ;

block : simple_stmts | NEWLINE INDENT stmt+ DEDENT ;

// `match` (PEP 634). Patterns are read permissively (a value pattern and a
// capture share one alternative); svic does not analyse match statements.
match_stmt
  : MATCH ( namedexpr_test | star_expr ) ( COMMA ( namedexpr_test | star_expr ) )* COMMA?
    COLON NEWLINE INDENT case_block+ DEDENT
  ;
case_block : CASE patterns ( IF namedexpr_test )? COLON block ;
patterns   : star_pattern ( COMMA star_pattern )* COMMA? ;
star_pattern : STAR NAME | pattern ;
pattern    : closed_pattern ( OR_OP closed_pattern )* ( AS NAME )? ;
closed_pattern
  : MINUS? number ( ( ADD | MINUS ) number )?
  | STRING+
  | NONE | TRUE | FALSE
  | dotted_name ( OPEN_PAREN pattern_args? CLOSE_PAREN )?
  | OPEN_PAREN patterns? CLOSE_PAREN
  | OPEN_BRACK patterns? CLOSE_BRACK
  | OPEN_BRACE ( mapping_item ( COMMA mapping_item )* COMMA? )? CLOSE_BRACE
  ;
number       : INTEGER | FLOAT_NUMBER | IMAG_NUMBER ;
pattern_args : pattern_arg ( COMMA pattern_arg )* COMMA? ;
pattern_arg  : NAME ASSIGN pattern | pattern ;
mapping_item : POWER NAME | closed_pattern COLON pattern ;

// --- expressions -----------------------------------------------------------------
namedexpr_test : test ( WALRUS test )? ;

test
  : lexpr ( IF lexpr ELSE test )?
  | lambdef
  ;
test_nocond : lexpr | lambdef_nocond ;
lambdef        : LAMBDA lambda_params? COLON test ;
lambdef_nocond : LAMBDA lambda_params? COLON test_nocond ;
lambda_params  : lambda_param ( COMMA lambda_param )* COMMA? ;
lambda_param   : NAME ( ASSIGN test )? | STAR NAME? | POWER NAME | DIV ;

// Boolean and comparison levels (Python's or_test .. comparison). Left-recursive
// rules keep the parse tree shallow: an atom costs a handful of contexts instead
// of one per precedence level. Earlier alternatives bind tighter.
lexpr
  : bexpr                                                       # bexpr_l
  | lexpr comp_op lexpr                                         # compare_l
  | NOT lexpr                                                   # not_l
  | lexpr AND lexpr                                             # and_l
  | lexpr OR lexpr                                              # or_l
  ;
comp_op
  : LESS_THAN | GREATER_THAN | EQUALS | GT_EQ | LT_EQ | NOT_EQ_1 | NOT_EQ_2
  | NOT IN | IS NOT | IN | IS
  ;
star_expr : STAR bexpr ;

// Arithmetic and bitwise levels (Python's expr .. power).
bexpr
  : atom_expr                                                   # atom_b
  | <assoc=right> bexpr POWER bexpr                             # power_b
  | ( ADD | MINUS | NOT_OP ) bexpr                              # unary_b
  | bexpr ( STAR | AT | DIV | MOD | IDIV ) bexpr                # mul_b
  | bexpr ( ADD | MINUS ) bexpr                                 # add_b
  | bexpr ( LEFT_SHIFT | RIGHT_SHIFT ) bexpr                    # shift_b
  | bexpr AND_OP bexpr                                          # band_b
  | bexpr XOR bexpr                                             # xor_b
  | bexpr OR_OP bexpr                                           # bor_b
  ;
atom_expr  : AWAIT? atom trailer* ;

atom
  : OPEN_PAREN ( yield_expr | testlist_comp )? CLOSE_PAREN      # paren_atom
  | OPEN_BRACK testlist_comp? CLOSE_BRACK                       # list_atom
  | OPEN_BRACE dictorsetmaker? CLOSE_BRACE                      # brace_atom
  | NAME                                                        # name_atom
  | INTEGER                                                     # int_atom
  | FLOAT_NUMBER                                                # float_atom
  | IMAG_NUMBER                                                 # imag_atom
  | STRING+                                                     # string_atom
  | ELLIPSIS                                                    # ellipsis_atom
  | NONE                                                        # none_atom
  | TRUE                                                        # true_atom
  | FALSE                                                       # false_atom
  ;

testlist_comp
  : ( namedexpr_test | star_expr )
    ( comp_for | ( COMMA ( namedexpr_test | star_expr ) )* COMMA? )
  ;

trailer
  : OPEN_PAREN arglist? CLOSE_PAREN                             # call_trailer
  | OPEN_BRACK subscriptlist CLOSE_BRACK                        # subscript_trailer
  | DOT NAME                                                    # attr_trailer
  ;
subscriptlist : subscript ( COMMA subscript )* COMMA? ;
subscript
  : namedexpr_test                                              # index_subscript
  | lower=test? COLON upper=test? ( COLON step=test? )?         # slice_subscript
  | star_expr                                                   # star_subscript
  ;

exprlist : ( bexpr | star_expr ) ( COMMA ( bexpr | star_expr ) )* COMMA? ;
testlist : test ( COMMA test )* COMMA? ;
testlist_star_expr : ( test | star_expr ) ( COMMA ( test | star_expr ) )* COMMA? ;

dictorsetmaker
  : dict_item ( comp_for | ( COMMA dict_item )* COMMA? )        # dict_maker
  | ( test | star_expr ) ( comp_for | ( COMMA ( test | star_expr ) )* COMMA? ) # set_maker
  ;
dict_item : test COLON test | POWER bexpr ;

arglist  : argument ( COMMA argument )* COMMA? ;
argument
  : NAME ASSIGN test                                            # keyword_arg
  | namedexpr_test comp_for?                                    # positional_arg
  | STAR test                                                   # star_arg
  | POWER test                                                  # dstar_arg
  ;

comp_for : ASYNC? FOR exprlist IN lexpr comp_iter? ;
comp_iter : comp_for | IF test_nocond comp_iter? ;

yield_expr : YIELD ( FROM test | testlist_star_expr )? ;
