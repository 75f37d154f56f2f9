#include "proxy/worker_traffic.hpp"

#include <algorithm>

namespace baton::proxy {
namespace {
const std::string kNone;

const std::string& release_of(const Service& service, const Target& target) {
  int index = service.targets.release_of(&target);
  if (index == TargetSet::kAnyRelease) return kNone;
  return service.targets.releases()[static_cast<std::size_t>(index)];
}
}  // namespace

WorkerTraffic::Block& WorkerTraffic::block(const Service* service, const Target* target) {
  const auto& service_name = service ? service->name : kNone;
  if (!target || !service) return untargeted(service_name, kNone);
  if (auto found = by_target_.find(target->id); found != by_target_.end()) {
    for (auto it : found->second)
      if (it->labels.service == service_name) return *it;
  }
  auto& added = add({service_name, release_of(*service, *target), target->address_text}, target->id);
  by_target_[target->id].push_back(std::prev(blocks_.end()));
  return added;
}

WorkerTraffic::Block& WorkerTraffic::untargeted(const std::string& service, const std::string& release) {
  if (auto found = untargeted_.find(ByServiceRelease::View{service, release}); found != untargeted_.end())
    return *found->second;
  auto& added = add({service, release, ""}, 0);
  untargeted_.emplace(std::pair(service, release), std::prev(blocks_.end()));
  return added;
}

WorkerTraffic::Block& WorkerTraffic::add(metrics::TrafficLabels labels, std::uint64_t target_id) {
  std::lock_guard lock(mutex_);
  auto& block = blocks_.emplace_back();
  block.labels = std::move(labels);
  block.target_id = target_id;
  return block;
}

void WorkerTraffic::retire_absent(const RouteTable& table) {
  retire_pending_ = false;
  std::vector<Blocks::iterator> leaving;
  for (auto& [id, blocks] : by_target_) {
    if (table.has_target(id)) continue;
    for (auto it : blocks) {
      if (it->open == 0) leaving.push_back(it);
      else retire_pending_ = true;
    }
  }
  for (auto it : leaving) retire(it);
}

void WorkerTraffic::retire(Blocks::iterator block) {
  auto& into = untargeted(block->labels.service, block->labels.release);
  if (block->labels.release != kNone) {
    auto key = std::pair(block->labels.service, block->labels.release);
    if (std::find(retired_order_.begin(), retired_order_.end(), key) == retired_order_.end())
      retired_order_.push_back(std::move(key));
  }
  auto& same_target = by_target_[block->target_id];
  std::erase(same_target, block);
  if (same_target.empty()) by_target_.erase(block->target_id);
  {
    // Under the lock: a scrape sees the counts either in the target's block or in the release's.
    std::lock_guard lock(mutex_);
    into.counters.absorb(block->counters.read());
    blocks_.erase(block);
  }
  if (retired_order_.size() > kMaxRetiredBlocks) drop_oldest_retired();
}

void WorkerTraffic::drop_oldest_retired() {
  auto key = retired_order_.front();
  retired_order_.pop_front();
  auto found = untargeted_.find(key);
  if (found == untargeted_.end()) return;
  std::lock_guard lock(mutex_);
  blocks_.erase(found->second);
  untargeted_.erase(found);
}

void WorkerTraffic::read(metrics::TrafficByLabels& out) const {
  std::lock_guard lock(mutex_);
  for (const auto& block : blocks_) out[block.labels] += block.counters.read();
}
}  // namespace baton::proxy
