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

/* bn (conv (x)). When nothing will take batch norm's gradient or update
 * its statistics (eval mode, and no gradient for either module's
 * parameters: an attack, inference, a frozen backbone), batch norm is an
 * affine map per channel and folds into the convolution's weights and
 * bias: one pass over the activations instead of three (forward, and
 * batch norm's backward when the attack differentiates to the input).
 * On tiny at 320 px this takes a quarter off the OT attack. */
at::Tensor conv_bn (torch::nn::Conv2dImpl &conv, torch::nn::BatchNorm2dImpl &bn, const at::Tensor &x);

enum class Activation
{
  None,
  ReLU,
  HardSwish,
};

/* A convolution, its batch norm and an activation, under the names a
 * model file gives the two ("conv" / "bn" in tiny's, "0" / "1" in
 * torchvision's layouts). */
struct ConvNormImpl : torch::nn::Module
{
  ConvNormImpl (torch::nn::Conv2d conv, torch::nn::BatchNorm2d bn, Activation activation,
                const char *conv_name = "0", const char *bn_name = "1");
  at::Tensor forward (const at::Tensor &x);
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
  Activation activation;
};
TORCH_MODULE (ConvNorm);

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
