#pragma once
namespace baton {
// The whole program: parse arguments, run the command, return the exit code.
int run(int argc, const char* const* argv);
}
