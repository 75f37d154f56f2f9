#include "cli/import_command.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <thread>

#include "cli/command_line.hpp"
#include "cli/js_literal.hpp"
#include "cli/pm2_import.hpp"

namespace baton::cli {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

std::expected<json, std::string> read_source(const ImportCommand& command) {
  if (command.source != "-") return read_ecosystem_file(command.source);
  std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  return read_ecosystem_text(text, "<stdin>");
}

// Never replaces a file unless asked: "wx" fails when it exists, whoever made it meanwhile.
int write_output(const ImportCommand& command, const std::string& text) {
  std::FILE* out = std::fopen(command.output.c_str(), command.force ? "w" : "wx");
  if (!out) {
    if (errno == EEXIST)
      fmt::print(stderr, "baton: {} exists: give --force to replace it\n", command.output);
    else
      fmt::print(stderr, "baton: cannot write {}: {}\n", command.output, std::strerror(errno));
    return kFailed;
  }
  bool written = std::fwrite(text.data(), 1, text.size(), out) == text.size();
  written = std::fclose(out) == 0 && written;
  if (!written) {
    fmt::print(stderr, "baton: cannot write {}: {}\n", command.output, std::strerror(errno));
    return kFailed;
  }
  fmt::print(stderr, "wrote {}: check it with 'baton check --config {}'\n", command.output, command.output);
  return kOk;
}
}  // namespace

ImportArgs::ImportArgs(CLI::App& app) {
  auto* import = app.add_subcommand("import", "Write a Baton config from another tool's setup");
  import->require_subcommand(1);
  pm2_ = import->add_subcommand("pm2", "From a PM2 ecosystem file (.js, .cjs, .json) or 'pm2 jlist' output");
  auto* file = pm2_->add_option("file", args_.source, "The ecosystem file");
  auto* jlist = pm2_->add_option("--jlist", jlist_, "Output of 'pm2 jlist' instead (- for standard input)");
  file->excludes(jlist);
  jlist->excludes(file);
  pm2_->add_option("--env", args_.env_name, "Merge the apps' env_NAME over env, as 'pm2 start --env NAME'");
  auto* output = pm2_->add_option("-o,--output", args_.output, "Write the config to this file (default: standard output)");
  pm2_->add_flag("--force", args_.force, "Replace the output file if it exists")->needs(output);
}

std::optional<ImportCommand> ImportArgs::parsed() const {
  if (!pm2_->parsed()) return std::nullopt;
  auto command = args_;
  if (!jlist_.empty()) {
    command.source = jlist_;
    command.jlist = true;
  }
  return command;
}

int run_import(const ImportCommand& command) {
  if (command.source.empty()) {
    fmt::print(stderr, "baton: import pm2 needs an ecosystem file or --jlist FILE\n");
    return kUsage;
  }
  auto value = read_source(command);
  if (value && command.jlist) value = ecosystem_from_jlist(*value);
  std::error_code ignored;
  bool from_stdin = command.source == "-";
  Pm2ImportOptions options{
      .source_name = from_stdin ? "standard input" : command.source,
      .base_dir = (from_stdin ? fs::current_path(ignored) : fs::absolute(command.source, ignored).parent_path()).string(),
      .env_name = command.env_name,
      .cpus = std::max(1u, std::thread::hardware_concurrency())};
  auto text = value ? pm2_to_toml(*value, options) : std::unexpected(value.error());
  if (!text) {
    fmt::print(stderr, "baton: {}\n", text.error());
    return kUsage;
  }
  if (command.output.empty()) {
    fmt::print("{}", *text);
    return kOk;
  }
  return write_output(command, *text);
}
}  // namespace baton::cli
