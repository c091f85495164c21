{
  "targets": [
    {
      "target_name": "snitchmap",
      "sources": [
        "src/addon.cc",
        "src/errors.cc",
        "src/bpf_object.cc",
        "src/bpf_object_maps.cc",
        "src/bpf_link.cc",
        "src/ring_buffer.cc",
        "src/link_watcher.cc",
        "src/fd_poller.cc",
        "../build/gen/embedded_objects.S"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "../bpf"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["<!@(pkg-config --libs libbpf)"]
    }
  ]
}
