{
  "targets": [
    {
      "target_name": "spamops_lstm",
      "sources": ["lstm-addon.c"],
      "cflags": ["-O3", "-ffast-math", "-std=gnu11"],
      "cflags!": ["-O2", "-O0"],
      "conditions": [
        ["target_arch=='x64'", { "cflags": ["-mavx2", "-mfma"], "xcode_settings": { "OTHER_CFLAGS": ["-O3", "-ffast-math", "-mavx2", "-mfma"] } }],
        ["target_arch=='arm64'", { "xcode_settings": { "OTHER_CFLAGS": ["-O3", "-ffast-math"] } }]
      ]
    }
  ]
}
