#pragma once
// modtrace: everything in one include.
//
//   #include <modtrace/modtrace.hpp>
//   using namespace modtrace;
//
//   auto model = zoo::create("seed_main_model");
//   Tensor x = Tensor::ones({2, 2});
//   std::cout << (*model)(x) << "\n";                       // tensor([[18., 18.], [18., 18.]])
//   Sequential children(model->children());
//   std::cout << children(x) << "\n";                       // tensor([[4., 4.], [4., 4.]])

#include "modtrace/analysis.hpp"
#include "modtrace/blocks.hpp"
#include "modtrace/containers.hpp"
#include "modtrace/cpu.hpp"
#include "modtrace/error.hpp"
#include "modtrace/functional.hpp"
#include "modtrace/init.hpp"
#include "modtrace/io.hpp"
#include "modtrace/layers.hpp"
#include "modtrace/memory.hpp"
#include "modtrace/module.hpp"
#include "modtrace/onnx.hpp"
#include "modtrace/ops.hpp"
#include "modtrace/plugin.hpp"
#include "modtrace/render.hpp"
#include "modtrace/repair.hpp"
#include "modtrace/python.hpp"
#include "modtrace/shape.hpp"
#include "modtrace/summary.hpp"
#include "modtrace/tensor.hpp"
#include "modtrace/trace.hpp"
#include "modtrace/version.hpp"
#include "modtrace/zoo.hpp"
