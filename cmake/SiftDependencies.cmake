# Every dependency comes from Debian 12 packages; see scripts/install-deps.sh.
find_package(Threads REQUIRED)
find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(yaml-cpp CONFIG REQUIRED)
find_package(OpenSSL REQUIRED)

if(NOT TARGET gRPC::grpc_cpp_plugin)
  find_program(SIFT_GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
else()
  set(SIFT_GRPC_CPP_PLUGIN $<TARGET_FILE:gRPC::grpc_cpp_plugin>)
endif()
