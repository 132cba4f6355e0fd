#pragma once
// Internal: row-major Eigen views of modtrace storage (no copies).

#include <Eigen/Core>

namespace modtrace::detail {

using RowMajorMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<RowMajorMatrix>;
using ConstMatrixMap = Eigen::Map<const RowMajorMatrix>;
using ConstVectorMap = Eigen::Map<const Eigen::VectorXf>;

}  // namespace modtrace::detail
