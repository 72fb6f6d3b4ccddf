// PyroLexer.g4 - tokens of the Python subset svic reads (SPEC §3).
//
// The lexer covers the whole Python token set (all operators, every string
// prefix and quote form, all number forms) so that constructs outside the
// svic subset reach the frontend and get a precise "unsupported" diagnostic
// instead of a syntax error. Indentation is turned into INDENT/DEDENT tokens by
// svic::grammar::IndentingLexer (IndentingLexer.h), which also drops NEWLINEs
// inside brackets (implicit line joining) and on blank/comment-only lines.
// Malformed input produces dedicated error tokens (UNTERMINATED_STRING,
// UNTERMINATED_LONG_STRING, ERROR_CHAR) instead of lexer errors, so the
// IndentingLexer can report them with a precise message.
lexer grammar PyroLexer;

// MATCH and CASE: soft keywords, typed by the IndentingLexer from NAME.
tokens { INDENT, DEDENT, MATCH, CASE }

// --- keywords --------------------------------------------------------------
AND      : 'and';
AS       : 'as';
ASSERT   : 'assert';
ASYNC    : 'async';
AWAIT    : 'await';
BREAK    : 'break';
CLASS    : 'class';
CONTINUE : 'continue';
DEF      : 'def';
DEL      : 'del';
ELIF     : 'elif';
ELSE     : 'else';
EXCEPT   : 'except';
FALSE    : 'False';
FINALLY  : 'finally';
FOR      : 'for';
FROM     : 'from';
GLOBAL   : 'global';
IF       : 'if';
IMPORT   : 'import';
IN       : 'in';
IS       : 'is';
LAMBDA   : 'lambda';
NONE     : 'None';
NONLOCAL : 'nonlocal';
NOT      : 'not';
OR       : 'or';
PASS     : 'pass';
RAISE    : 'raise';
RETURN   : 'return';
TRUE     : 'True';
TRY      : 'try';
WHILE    : 'while';
WITH     : 'with';
YIELD    : 'yield';

// --- literals ----------------------------------------------------------------
// A string with any prefix (r, b, u, f and their combinations, any case) and
// any quote form. f-strings are lexed as strings; the frontend parses their
// replacement fields.
STRING : STRING_PREFIX? ( SHORT_STRING | LONG_STRING ) ;

// A short string cut by the end of the line or of the file.
UNTERMINATED_STRING
  : STRING_PREFIX? ( '\'' ( ESCAPE_SEQ | ~[\\\r\n'] )* '\\'?
                   | '"' ( ESCAPE_SEQ | ~[\\\r\n"] )* '\\'? )
  ;

// A triple-quoted string that reaches the end of the file. The body cannot
// contain the closing quotes, so a terminated string never matches here.
UNTERMINATED_LONG_STRING
  : STRING_PREFIX? ( '\'\'\'' SQ3_ITEM* ( '\'' | '\'\'' )? '\\'? EOF
                   | '"""' DQ3_ITEM* ( '"' | '""' )? '\\'? EOF )
  ;

FLOAT_NUMBER : POINT_FLOAT | EXPONENT_FLOAT ;
IMAG_NUMBER  : ( POINT_FLOAT | EXPONENT_FLOAT | DIGIT_PART ) [jJ] ;
INTEGER      : DECIMAL_INTEGER | OCT_INTEGER | HEX_INTEGER | BIN_INTEGER ;

// --- operators and delimiters ----------------------------------------------
ELLIPSIS     : '...';
DOT          : '.';
STAR         : '*';
OPEN_PAREN   : '(';
CLOSE_PAREN  : ')';
COMMA        : ',';
COLON        : ':';
SEMI_COLON   : ';';
POWER        : '**';
ASSIGN       : '=';
OPEN_BRACK   : '[';
CLOSE_BRACK  : ']';
OR_OP        : '|';
XOR          : '^';
AND_OP       : '&';
LEFT_SHIFT   : '<<';
RIGHT_SHIFT  : '>>';
ADD          : '+';
MINUS        : '-';
DIV          : '/';
MOD          : '%';
IDIV         : '//';
NOT_OP       : '~';
OPEN_BRACE   : '{';
CLOSE_BRACE  : '}';
LESS_THAN    : '<';
GREATER_THAN : '>';
EQUALS       : '==';
GT_EQ        : '>=';
LT_EQ        : '<=';
NOT_EQ_1     : '<>';
NOT_EQ_2     : '!=';
AT           : '@';
ARROW        : '->';
WALRUS       : ':=';
ADD_ASSIGN   : '+=';
SUB_ASSIGN   : '-=';
MULT_ASSIGN  : '*=';
AT_ASSIGN    : '@=';
DIV_ASSIGN   : '/=';
MOD_ASSIGN   : '%=';
AND_ASSIGN   : '&=';
OR_ASSIGN    : '|=';
XOR_ASSIGN   : '^=';
LEFT_SHIFT_ASSIGN  : '<<=';
RIGHT_SHIFT_ASSIGN : '>>=';
POWER_ASSIGN : '**=';
IDIV_ASSIGN  : '//=';

// A line break with the next line's indentation; the IndentingLexer turns it
// into NEWLINE / INDENT / DEDENT or drops it.
NEWLINE : ( '\r'? '\n' | '\r' ) [ \t\f]* ;

NAME : ID_START ID_CONTINUE* ;

SKIP_WS       : [ \t\f]+ -> skip ;
SKIP_COMMENT  : '#' ~[\r\n]* -> skip ;
SKIP_JOIN     : '\\' [ \t]* ( '\r'? '\n' | '\r' ) -> skip ;

// Anything else (`$`, `?`, a stray backslash, control characters, ...).
ERROR_CHAR : . ;

// --- fragments -----------------------------------------------------------------
fragment STRING_PREFIX
  : [rRuUbBfF]
  | [rR] [bBfF]
  | [bBfF] [rR]
  ;
fragment SHORT_STRING
  : '\'' ( ESCAPE_SEQ | ~[\\\r\n'] )* '\''
  | '"' ( ESCAPE_SEQ | ~[\\\r\n"] )* '"'
  ;
fragment LONG_STRING
  : '\'\'\'' LONG_ITEM*? '\'\'\''
  | '"""' LONG_ITEM*? '"""'
  ;
fragment LONG_ITEM  : ESCAPE_SEQ | ~'\\' ;
fragment ESCAPE_SEQ : '\\' ( '\r\n' | . ) ;
// Items of a triple-quoted body that never form the closing quotes.
fragment SQ3_ITEM : ( ~['\\] | ESCAPE_SEQ ) | '\'' ( ~['\\] | ESCAPE_SEQ ) | '\'\'' ( ~['\\] | ESCAPE_SEQ ) ;
fragment DQ3_ITEM : ( ~["\\] | ESCAPE_SEQ ) | '"' ( ~["\\] | ESCAPE_SEQ ) | '""' ( ~["\\] | ESCAPE_SEQ ) ;

fragment DECIMAL_INTEGER : NON_ZERO_DIGIT ( '_'? DIGIT )* | '0' ( '_'? '0' )* ;
fragment OCT_INTEGER : '0' [oO] ( '_'? [0-7] )+ ;
fragment HEX_INTEGER : '0' [xX] ( '_'? [0-9a-fA-F] )+ ;
fragment BIN_INTEGER : '0' [bB] ( '_'? [01] )+ ;
fragment NON_ZERO_DIGIT : [1-9] ;
fragment DIGIT : [0-9] ;
fragment DIGIT_PART : DIGIT ( '_'? DIGIT )* ;
fragment POINT_FLOAT : DIGIT_PART? '.' DIGIT_PART | DIGIT_PART '.' ;
fragment EXPONENT_FLOAT : ( DIGIT_PART | POINT_FLOAT ) [eE] [+-]? DIGIT_PART ;

fragment ID_START : [a-zA-Z_] | [\u0080-\u{10FFFF}] ;
fragment ID_CONTINUE : ID_START | [0-9] ;
