//! Landlock's filesystem selftests (fs_test.c) ported to landlock-test: see tests/.
