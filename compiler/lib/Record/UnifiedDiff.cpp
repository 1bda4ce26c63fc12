//===- UnifiedDiff.cpp - line diffs in unified format ---------------------===//
//
// Myers' O((N+M)D) shortest edit script over lines, printed as unified-diff
// hunks with three lines of context (what `diff -u` and editors read).
//
//===----------------------------------------------------------------------===//
#include "openopt/Record/PassRecord.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

namespace openopt {
namespace {

enum class Edit { Keep, Remove, Add };

std::vector<Edit> shortestEditScript(llvm::ArrayRef<llvm::StringRef> a,
                                     llvm::ArrayRef<llvm::StringRef> b) {
  int n = a.size(), m = b.size(), max = n + m;
  std::vector<int> v(2 * max + 2, 0);
  std::vector<std::vector<int>> trace;
  int offset = max + 1;
  for (int d = 0; d <= max; ++d) {
    trace.push_back(v);
    for (int k = -d; k <= d; k += 2) {
      int x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]))
                  ? v[offset + k + 1]
                  : v[offset + k - 1] + 1;
      int y = x - k;
      while (x < n && y < m && a[x] == b[y])
        ++x, ++y;
      v[offset + k] = x;
      if (x >= n && y >= m) {
        // Walk the trace back to recover the edits.
        std::vector<Edit> edits;
        for (int dd = d; dd > 0; --dd) {
          const std::vector<int> &prev = trace[dd];
          int kk = x - y;
          int prevK = (kk == -dd || (kk != dd && prev[offset + kk - 1] < prev[offset + kk + 1]))
                          ? kk + 1
                          : kk - 1;
          int prevX = prev[offset + prevK], prevY = prevX - prevK;
          while (x > prevX && y > prevY) {
            edits.push_back(Edit::Keep);
            --x, --y;
          }
          edits.push_back(x == prevX ? Edit::Add : Edit::Remove);
          x = prevX, y = prevY;
        }
        while (x > 0 && y > 0) {
          edits.push_back(Edit::Keep);
          --x, --y;
        }
        std::reverse(edits.begin(), edits.end());
        return edits;
      }
    }
  }
  return {};
}

} // namespace

std::string unifiedDiff(llvm::StringRef before, llvm::StringRef after,
                        llvm::StringRef beforeName, llvm::StringRef afterName) {
  llvm::SmallVector<llvm::StringRef> a, b;
  before.split(a, '\n');
  after.split(b, '\n');
  std::vector<Edit> edits = shortestEditScript(a, b);
  std::string out;
  if (llvm::all_of(edits, [](Edit e) { return e == Edit::Keep; }))
    return out;
  out += "--- " + beforeName.str() + "\n+++ " + afterName.str() + "\n";
  constexpr int kContext = 3;
  size_t i = 0;
  int ai = 0, bi = 0;
  while (i < edits.size()) {
    // Find the next change, then grow the hunk while changes are close.
    size_t start = i;
    while (start < edits.size() && edits[start] == Edit::Keep)
      ++start;
    if (start == edits.size())
      break;
    int skip = std::max<int>(0, (int)(start - i) - kContext);
    for (int s = 0; s < skip; ++s, ++i)
      ++ai, ++bi;
    size_t end = start, lastChange = start;
    while (end < edits.size() && (edits[end] != Edit::Keep || end - lastChange <= 2 * kContext)) {
      if (edits[end] != Edit::Keep)
        lastChange = end;
      ++end;
    }
    end = std::min(edits.size(), lastChange + 1 + kContext);
    int aStart = ai, bStart = bi, aCount = 0, bCount = 0;
    std::string body;
    for (; i < end; ++i) {
      switch (edits[i]) {
      case Edit::Keep:
        body += " " + a[ai++].str() + "\n";
        ++aCount, ++bCount;
        break;
      case Edit::Remove:
        body += "-" + a[ai++].str() + "\n";
        ++aCount;
        break;
      case Edit::Add:
        body += "+" + b[bi++].str() + "\n";
        ++bCount;
        break;
      }
    }
    out += llvm::formatv("@@ -{0},{1} +{2},{3} @@\n", aStart + 1, aCount, bStart + 1, bCount).str();
    out += body;
  }
  return out;
}

} // namespace openopt
