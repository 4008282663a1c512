# Install rules: `find_package(sift CONFIG)` then link `sift::sift`
# (and `sift::protos` for raw protos).
include(CMakePackageConfigHelpers)

set(SIFT_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/sift)

install(TARGETS sift EXPORT siftTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/sift DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT siftTargets NAMESPACE sift:: DESTINATION ${SIFT_CMAKE_INSTALL_DIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/siftConfig.cmake.in
  ${PROJECT_BINARY_DIR}/siftConfig.cmake INSTALL_DESTINATION ${SIFT_CMAKE_INSTALL_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/siftConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/siftConfig.cmake ${PROJECT_BINARY_DIR}/siftConfigVersion.cmake
  DESTINATION ${SIFT_CMAKE_INSTALL_DIR})
