#pragma once
#include "base/log_file.hpp"

namespace baton::supervisor {
using baton::LogFile;
using baton::LogRotation;
using baton::rotated_path;
}  // namespace baton::supervisor
