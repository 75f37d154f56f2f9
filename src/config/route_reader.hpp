#pragma once
// Reads where a service or a site answers: listen, hosts and path.
#include <string>
#include <vector>

#include "config/table_reader.hpp"
#include "net/address.hpp"

namespace baton::config_detail {
// Required: a TCP address.
void read_listen(TableReader& r, Address& listen);
// Optional: lower-cased host names, exact or "*.domain"; an empty list is an error.
void read_hosts(TableReader& r, std::vector<std::string>& hosts);
// Optional: a path prefix starting with '/'.
void read_path(TableReader& r, std::string& path);
}  // namespace baton::config_detail
