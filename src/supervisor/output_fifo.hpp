#pragma once
// An instance's stdout or stderr as a named pipe in the daemon's run directory
// instead of an anonymous pipe, so its output outlives the daemon: the instance
// holds its end open for reading *and* writing, so a daemon that dies leaves it a
// pipe with a reader (no SIGPIPE, no EPIPE) whose buffer keeps the lines written
// meanwhile, and the next daemon reopens the pipe by name when it adopts the
// instance and carries on logging.
#include <expected>
#include <filesystem>
#include <string>

#include "base/unique_fd.hpp"

namespace baton::supervisor {
struct FifoEnds {
  UniqueFd read;   // the daemon's: non-blocking, close-on-exec
  UniqueFd write;  // the instance's stdout or stderr: read-write, close-on-exec (dup2 clears it)
};

// Lines the pipe buffers while no daemon reads it; past that the instance's writes block.
inline constexpr int kOutputFifoBuffer = 1 << 20;

// Replaces whatever is at `path` with a new FIFO (owner only) and opens both ends.
std::expected<FifoEnds, std::string> create_output_fifo(const std::filesystem::path& path);
// The daemon's end of an existing FIFO, for an adopted instance; refuses anything but a FIFO.
std::expected<UniqueFd, std::string> reopen_output_fifo(const std::filesystem::path& path);
}  // namespace baton::supervisor
