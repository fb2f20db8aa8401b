{
  "variables": {
    "rf_cflags": ["-O3", "-std=c++17", "-fno-math-errno", "-ffp-contract=fast"]
  },
  "target_defaults": {
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++14", "-std=gnu++20"],
    "cflags_cc": ["<@(rf_cflags)", "-fexceptions"],
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
    "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"]
  },
  "targets": [
    {
      "target_name": "tfjs_native",
      "sources": [
        "native/activations.cc",
        "native/adam.cc",
        "native/addon.cc",
        "native/attention.cc",
        "native/binary.cc",
        "native/copy.cc",
        "native/cpu_dispatch.cc",
        "native/gated_residual.cc",
        "native/layer_norm_modulate.cc",
        "native/matmul.cc",
        "native/native_memory.cc",
        "native/reduce.cc",
        "native/rms_norm.cc",
        "native/softmax.cc",
        "native/thread_pool.cc",
        "native/transpose.cc"
      ],
      "dependencies": ["kernels_portable"],
      "conditions": [
        ["target_arch=='x64' or target_arch=='ia32'", {
          "dependencies": ["kernels_avx2", "kernels_avx512"],
          "defines": ["RF_HAVE_X86_KERNELS"]
        }]
      ]
    },
    {
      "target_name": "kernels_portable",
      "type": "static_library",
      "sources": ["native/isa_portable.cc"],
      "cflags_cc": ["-fPIC"]
    }
  ],
  "conditions": [
    ["target_arch=='x64' or target_arch=='ia32'", {
      "targets": [
        {
          "target_name": "kernels_avx2",
          "type": "static_library",
          "sources": ["native/isa_avx2.cc"],
          "cflags_cc": ["-fPIC", "-mavx2", "-mfma"]
        },
        {
          "target_name": "kernels_avx512",
          "type": "static_library",
          "sources": ["native/isa_avx512.cc"],
          "cflags_cc": ["-fPIC", "-mavx512f", "-mavx512vl", "-mavx2", "-mfma", "-mprefer-vector-width=512"]
        }
      ]
    }]
  ]
}
