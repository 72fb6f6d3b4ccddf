# Rewrites an ANTLR 4.7 generated C++ recognizer (-DFILE=... -DCLASS=...) so
# that its ATN is deserialised on the first construction, not by a static
# initialiser in every process (`svic --version` paid for it), and without
# verifying it again at run time: it is the ANTLR tool's own output, checked
# when it was written, and every parser test runs on it.
file(READ ${FILE} Text)
set(Ctor "${CLASS}::${CLASS}(")
set(Init "${CLASS}::Initializer ${CLASS}::_init;")
set(Deser "  atn::ATNDeserializer deserializer;")
foreach(Needle IN ITEMS "${Ctor}" "${Init}" "${Deser}")
  string(FIND "${Text}" "${Needle}" At)
  if(At EQUAL -1)
    message(FATAL_ERROR "LazyAtn.cmake: '${Needle}' not found in ${FILE} (another ANTLR version?)")
  endif()
endforeach()
string(REPLACE "${Init}" "" Text "${Text}")
string(REGEX REPLACE "(${CLASS}::${CLASS}\\([^)]*\\) : [A-Za-z]+\\(input\\) {)"
       "\\1\n  static const Initializer LazyInit;" Text "${Text}")
string(REPLACE "${Deser}"
       "  atn::ATNDeserializationOptions deserializationOptions;\n  deserializationOptions.setVerifyATN(false);\n  atn::ATNDeserializer deserializer(deserializationOptions);"
       Text "${Text}")
file(WRITE ${FILE} "${Text}")
