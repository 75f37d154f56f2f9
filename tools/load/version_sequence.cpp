#include "version_sequence.hpp"

namespace baton::load {

bool VersionSequence::see(std::string_view version) {
  if (version.empty() || version == current_) return false;
  bool regression = left_.contains(version);
  if (!current_.empty()) left_.insert(current_);
  current_ = version;
  if (regression) ++regressions_;
  return regression;
}

}  // namespace baton::load
