/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-torch-backbone.hpp: the detector's backbones
 *
 * Every backbone turns a normalised image into four feature maps at
 * strides 4, 8, 16 and 32. `resnet18` and `mobilenet_v3_large` name their
 * modules exactly as torchvision does (conv1, layer1.0.bn2, features.4.block.2.fc1,
 * ...), so a torchvision state_dict loads into them by name; `small` is a
 * narrow ResNet of the same layout, and `tiny` a plain stack of 3×3
 * convolutions for the demo.
 */
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/container/sequential.h>
#include <ATen/ATen.h>

#include <memory>
#include <string>
#include <vector>

namespace otter {

enum class BackboneFamily
{
  Plain,                         /* conv-bn-relu stacks (tiny) */
  ResNet,                        /* torchvision's ResNet with BasicBlocks */
  MobileNetV3,                   /* torchvision's MobileNetV3-Large */
};

/* Width and depth of one detector architecture. */
struct ArchSpec
{
  std::string name;
  BackboneFamily family;
  int stem;                      /* channels of the stem (Plain, ResNet) */
  int stem_kernel;               /* ResNet: 7 as torchvision has it; 3 for small, whose
                                  * attacks need the gradient of the input, which a 7×7
                                  * convolution on the full image makes slow */
  int widths[4];                 /* stage widths at strides 4, 8, 16, 32 (Plain, ResNet) */
  int depth;                     /* Plain: extra 3×3 convs per stage; ResNet: blocks per stage */
  int neck;                      /* channels of the stride-4 neck */
  int head;                      /* hidden channels of each head */
  /* torchvision publishes ImageNet weights for this backbone under this
   * name (empty when it does not). */
  std::string torchvision_name;
};

const ArchSpec *arch_lookup (const std::string &name);
const std::vector<ArchSpec> &arch_all ();

struct BackboneImpl : torch::nn::Module
{
  /* Four maps, strides 4, 8, 16 and 32. */
  virtual std::vector<at::Tensor> levels (const at::Tensor &x) = 0;
  int channels[4] = { 0, 0, 0, 0 };
};

std::shared_ptr<BackboneImpl> backbone_new (const ArchSpec &spec);

/* Copies the tensors of a torchvision-layout state_dict into the backbone,
 * by name. Entries the backbone lacks (a classifier, say) are counted in
 * n_ignored; a backbone tensor the dictionary lacks, or one of another
 * shape, throws std::runtime_error naming it. */
void backbone_load_state_dict (BackboneImpl &backbone,
                               const std::vector<std::pair<std::string, at::Tensor>> &state,
                               int *n_loaded, int *n_ignored);

} /* namespace otter */
