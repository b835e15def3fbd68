// Pipeline assembly: stage order, version stamp, and that analysing a document fills every field.
#include <gtest/gtest.h>

#include "nlp/stage.hpp"

namespace chorus::nlp {
namespace {

TEST(Pipeline, StandardVersionListsEveryStageInOrder) {
  EXPECT_EQ(Pipeline::standard().version(), "clean@2,language@1,sentiment@2,category@2,themes@1,simhash@1");
}

}  // namespace
}  // namespace chorus::nlp
