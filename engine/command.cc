// CommandRegistry: the table of command rows, lookup and key extraction.
#include "engine/command.h"

#include <cassert>
#include <cctype>

namespace kevy {

namespace {
// Lower-cases into a small stack buffer; names longer than that are not commands.
bool Lower(std::string_view in, char* out, size_t cap, size_t* len) {
  if (in.size() > cap) return false;
  for (size_t i = 0; i < in.size(); ++i)
    out[i] = static_cast<char>(tolower(static_cast<unsigned char>(in[i])));
  *len = in.size();
  return true;
}
}  // namespace

uint32_t CommandRegistry::NameHash(std::string_view name) {
  uint32_t h = 2166136261u;  // FNV-1a over the name with ASCII letters folded to lower case
  for (char c : name) {
    h ^= static_cast<uint8_t>(c) | 0x20;
    h *= 16777619u;
  }
  return h;
}

void CommandRegistry::Reindex() {
  size_t cap = 64;
  while (cap < specs_.size() * 4) cap *= 2;
  slots_.assign(cap, 0);
  for (size_t i = 0; i < specs_.size(); ++i) {
    size_t pos = NameHash(specs_[i].name) & (cap - 1);
    while (slots_[pos]) pos = (pos + 1) & (cap - 1);
    slots_[pos] = static_cast<uint32_t>(i + 1);
  }
}

void CommandRegistry::Add(CommandSpec spec) {
  assert(Find(spec.name) == nullptr);
  spec.id = next_id_++;
  for (auto& sub : spec.subcommands) sub.id = next_id_++;
  specs_.push_back(std::move(spec));
  Reindex();
}

const CommandSpec* CommandRegistry::Find(std::string_view name) const {
  if (slots_.empty()) return nullptr;
  size_t mask = slots_.size() - 1;
  for (size_t pos = NameHash(name) & mask; slots_[pos]; pos = (pos + 1) & mask) {
    const CommandSpec& s = specs_[slots_[pos] - 1];
    if (s.name.size() != name.size()) continue;
    size_t i = 0;
    for (; i < name.size(); ++i) {
      char c = name[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
      if (c != s.name[i]) break;
    }
    if (i == name.size()) return &s;
  }
  return nullptr;
}

const CommandSpec* CommandRegistry::FindSub(const CommandSpec& parent,
                                            std::string_view sub) const {
  char buf[64];
  size_t len;
  if (!Lower(sub, buf, sizeof(buf), &len)) return nullptr;
  std::string_view s(buf, len);
  for (const auto& c : parent.subcommands) {
    std::string_view n = c.name;
    auto bar = n.find('|');
    if (bar != std::string_view::npos && n.substr(bar + 1) == s) return &c;
  }
  return nullptr;
}

bool CommandRegistry::KeyPositions(const CommandSpec& spec, const ArgList& args,
                                   std::vector<int>* positions) {
  if (spec.get_keys) {
    spec.get_keys(args, positions);
    for (int p : *positions)
      if (p <= 0 || static_cast<size_t>(p) >= args.size()) return false;
    return true;
  }
  if (spec.first_key <= 0) return true;
  int argc = static_cast<int>(args.size());
  int last = spec.last_key >= 0 ? spec.last_key : argc + spec.last_key;
  int step = spec.key_step > 0 ? spec.key_step : 1;
  if (spec.first_key >= argc) return false;
  if (last >= argc) last = argc - 1;
  for (int i = spec.first_key; i <= last; i += step) positions->push_back(i);
  // Commands with a key/value step (MSET) need a whole number of pairs.
  if (step > 1 && (argc - spec.first_key) % step != 0) return false;
  return true;
}

void RegisterAllCommands(CommandRegistry& r) {
  RegisterStringFamily(r);
  RegisterKeyFamily(r);
  RegisterServerFamily(r);
  RegisterConnectionFamily(r);
  RegisterListFamily(r);
  RegisterHashFamily(r);
  RegisterSetFamily(r);
  RegisterZsetFamily(r);
  RegisterBitmapFamily(r);
  RegisterHllFamily(r);
  RegisterSortFamily(r);
  RegisterDumpFamily(r);
  RegisterPersistenceFamily(r);
}

}  // namespace kevy
