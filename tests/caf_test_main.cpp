// The one translation unit per test binary with CAF's test engine and main().
#include <caf/test/unit_test_impl.hpp>
