// "Did you mean": the edit distance and the nearest names that error
// messages of the tool and the library suggest.

#include "helpers.hpp"

using namespace modtrace;

TEST_CASE("the edit distance counts letters changed, inserted or deleted") {
  CHECK(edit_distance("trace", "trace") == 0);
  CHECK(edit_distance("trce", "trace") == 1);      // one inserted
  CHECK(edit_distance("difff", "diff") == 1);      // one deleted
  CHECK(edit_distance("layer5", "layer1") == 1);   // one changed
  CHECK(edit_distance("", "run") == 3);
  CHECK(edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("the nearest names come nearest first, ties in the candidates' order, at most count") {
  const std::vector<std::string> names{"conv1", "layer1", "layer2", "fc", "layer10"};
  CHECK(nearest_names("layer5", names, 3) == std::vector<std::string>{"layer1", "layer2", "layer10"});
  CHECK(nearest_names("fx", names, 1) == std::vector<std::string>{"fc"});
  CHECK(nearest_names("x", names, 10).size() == names.size());
  CHECK(nearest_names("x", {}, 3).empty());
}
