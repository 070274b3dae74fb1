#include "proxy/policy/phrase_scanner.h"

#include <hs/hs.h>

#include <utility>

#include "proxy/policy/ascii.h"

namespace mcpsandbox {
namespace {

int stop_at_first(unsigned int id, unsigned long long, unsigned long long, unsigned int, void* context) {
  *static_cast<int*>(context) = static_cast<int>(id);
  return 1;
}

}  // namespace

Result<PhraseScanner> PhraseScanner::create(std::vector<std::string> phrases,
                                            const ScanEngine& scan_engine) {
  PhraseScanner scanner;
  // Folded once: the slow path below compares against a folded copy of the text.
  for (std::string& phrase : phrases) phrase = ascii_lower(phrase);
  scanner.phrases_ = std::move(phrases);
  std::vector<const char*> literals;
  std::vector<size_t> lengths;
  std::vector<unsigned> flags, ids;
  for (size_t i = 0; i < scanner.phrases_.size(); ++i) {
    literals.push_back(scanner.phrases_[i].data());
    lengths.push_back(scanner.phrases_[i].size());
    flags.push_back(HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH);
    ids.push_back(static_cast<unsigned>(i));
  }
  // Without a Vectorscan runtime that passed its self-check, the same answer the slow way.
  if (!scan_engine.vectorscan) return scanner;
  scanner.scan_ = scan_engine.vectorscan->scan;
  hs_platform_info_t platform = scan_engine.vectorscan->platform;
  hs_compile_error_t* error = nullptr;
  if (hs_compile_lit_multi(literals.data(), flags.data(), ids.data(), lengths.data(),
                           static_cast<unsigned>(literals.size()), HS_MODE_BLOCK, &platform,
                           &scanner.database_, &error) != HS_SUCCESS) {
    std::string message = std::string("phrase scanner: ") + (error ? error->message : "?");
    hs_free_compile_error(error);
    return Error{message};
  }
  if (hs_alloc_scratch(scanner.database_, &scanner.scratch_) != HS_SUCCESS) {
    return Error{"phrase scanner: cannot allocate scratch space"};
  }
  return scanner;
}

PhraseScanner::PhraseScanner(PhraseScanner&& other) noexcept
    : phrases_(std::move(other.phrases_)),
      scan_(other.scan_),
      database_(std::exchange(other.database_, nullptr)),
      scratch_(std::exchange(other.scratch_, nullptr)) {}

PhraseScanner& PhraseScanner::operator=(PhraseScanner&& other) noexcept {
  if (this != &other) {
    this->~PhraseScanner();
    new (this) PhraseScanner(std::move(other));
  }
  return *this;
}

PhraseScanner::~PhraseScanner() {
  if (scratch_) hs_free_scratch(scratch_);
  if (database_) hs_free_database(database_);
}

std::string PhraseScanner::find(std::string_view text) const {
  if (!database_) {
    std::string folded = ascii_lower(text);
    for (const std::string& phrase : phrases_) {
      if (folded.find(phrase) != std::string::npos) return phrase;
    }
    return {};
  }
  int found = -1;
  scan_(database_, text.data(), static_cast<unsigned>(text.size()), 0, scratch_, stop_at_first, &found);
  return found < 0 ? std::string() : phrases_[static_cast<size_t>(found)];
}

}  // namespace mcpsandbox
