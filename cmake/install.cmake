# `cmake --install`: the libraries, the public headers, a CMake package (find_package(pldr CONFIG)
# with pldr::pldr and pldr::c) and pkg-config's pldr.pc under the prefix (README "Using pldr from
# your program"). scripts/test-install.sh builds the examples against an installed tree.
include(CMakePackageConfigHelpers)

# pldr::pldr, the C++ library a program needs to load a model and generate: Hugging Face folders
# always; checkpoints and the tokenizer where the build has them.
add_library(pldr_library INTERFACE)
set_target_properties(pldr_library PROPERTIES EXPORT_NAME pldr)
target_link_libraries(pldr_library INTERFACE pldr_hf)

# The static libraries behind it (the link closure of pldr_hf, pldr_train and pldr_data), each
# exported as pldr::<name without pldr_>.
set(libraries pldr_tensor pldr_autograd pldr_nn pldr_model pldr_atomic_file pldr_safetensors pldr_hf pldr_tokenizer)
# Its public headers: what interop/hf_import.h, pldr/generate.h and tensor/threads.h include, with
# data/tokenizer.h (every build reads SentencePiece models) and, in a full build,
# train/checkpoint.h. Installed under include/pldr/ in the source tree's layout, so that they include each other unchanged ("pldr/model.h").
set(headers
  tensor/bfloat16.h tensor/device.h tensor/dtype.h tensor/op_list.h tensor/op_types.h tensor/ops.h tensor/random.h
  tensor/int8_matrix.h tensor/shape.h tensor/storage.h tensor/tensor.h tensor/threads.h autograd/ops.h autograd/variable.h nn/layers.h
  nn/module.h nn/rotary_embedding.h pldr/attention.h pldr/cache.h pldr/config.h pldr/generate.h pldr/model.h
  pldr/sampling.h interop/hf_import.h data/tokenizer.h)
if(TARGET pldr_tensor_cuda)
  list(APPEND libraries pldr_tensor_cuda)
endif()
if(TARGET pldr_train)
  target_link_libraries(pldr_library INTERFACE pldr_train)
  list(APPEND libraries pldr_optim pldr_io pldr_dist pldr_train)
  list(APPEND headers optim/adamw.h train/checkpoint.h train/run_config.h)
endif()
if(TARGET pldr_data)
  target_link_libraries(pldr_library INTERFACE pldr_data)
  list(APPEND libraries pldr_data)
endif()
foreach(library ${libraries})
  string(REGEX REPLACE "^pldr_" "" name ${library})
  set_target_properties(${library} PROPERTIES EXPORT_NAME ${name})
endforeach()

install(TARGETS pldr_library ${libraries} EXPORT pldrTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/pldr)
install(TARGETS pldr_c EXPORT pldrTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
foreach(header ${headers})
  get_filename_component(folder ${header} DIRECTORY)
  install(FILES ${PROJECT_SOURCE_DIR}/${header} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/pldr/${folder})
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/apps/c_api/include/pldr/pldr.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/pldr)

# The CMake package. Components follow the build: hdf5 (checkpoints), sentencepiece (the
# SentencePiece library behind the tokenizer and tokenizer training), cuda (the CUDA backend); the config file finds what the static libraries link.
set(config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/pldr)
install(EXPORT pldrTargets NAMESPACE pldr:: DESTINATION ${config_dir})
# ON/OFF each, for the config file: what the build has, and what pldr_dist links (Gloo, NCCL).
foreach(has hdf5 sentencepiece cuda gloo nccl rsvg)
  set(pldr_has_${has} OFF)
endforeach()
if(TARGET pldr_train)
  set(pldr_has_hdf5 ON)
endif()
if(TARGET PkgConfig::SENTENCEPIECE)  # pldr_tokenizer's library backend
  set(pldr_has_sentencepiece ON)
endif()
if(PLDR_CUDA)
  set(pldr_has_cuda ON)
endif()
if(TARGET pldr_train AND PLDR_HAVE_GLOO)  # pldr_dist is installed with pldr_train
  set(pldr_has_gloo ON)
endif()
if(TARGET pldr_train AND RSVG_FOUND)  # pldr_io is installed with pldr_train
  set(pldr_has_rsvg ON)
endif()
if(TARGET pldr_train AND PLDR_HAVE_NCCL)
  set(pldr_has_nccl ON)
endif()
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/pldrConfig.cmake.in ${PROJECT_BINARY_DIR}/pldrConfig.cmake
                              INSTALL_DESTINATION ${config_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/pldrConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/pldrConfig.cmake ${PROJECT_BINARY_DIR}/pldrConfigVersion.cmake
        DESTINATION ${config_dir})

# pkg-config's pldr.pc, for the C API: its prefix is found from the file's own place, so the tree
# may be installed anywhere (cmake --install --prefix DIR).
file(RELATIVE_PATH pc_to_prefix ${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" pc_to_prefix "${pc_to_prefix}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/pldr.pc.in ${PROJECT_BINARY_DIR}/pldr.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/pldr.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
