#pragma once
#include "base/unique_fd.hpp"

namespace baton::supervisor {
using baton::UniqueFd;
}
