// The one translation unit with Catch2's main (slow to compile; never add tests here).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
