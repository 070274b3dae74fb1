// TextTable: rows of text printed as aligned columns, for the commands' human output.
#pragma once

#include <string>
#include <vector>

namespace mcpsandbox {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : rows_{std::move(header)} {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string render() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace mcpsandbox
