# libFuzzer targets (./configure --enable-fuzzing CC=clang) and make fuzz-smoke.
