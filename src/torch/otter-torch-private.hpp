/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-torch-private.hpp: what the shim's translation units share
 *
 * Only src/torch/ includes this. It keeps the libtorch headers to the
 * minimum the shim needs (torch/nn and autograd, not torch/all.h), which
 * matters for compile times.
 */
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/autograd.h>
#include <ATen/ATen.h>

#include <map>
#include <string>
#include <vector>

#include <json-glib/json-glib.h>

#include "otter-torch.h"
#include "otter-torch-backbone.hpp"

namespace otter {

struct HeadImpl : torch::nn::Module
{
  HeadImpl (int in, int hidden, int out, double bias);
  at::Tensor forward (const at::Tensor &x);
  torch::nn::Conv2d hidden_conv{nullptr};
  torch::nn::Conv2d out_conv{nullptr};
};
TORCH_MODULE (Head);

/* The raw outputs of one forward pass. */
struct HeadOutputs
{
  at::Tensor heatmap;            /* N × C × H × W logits */
  at::Tensor size;               /* N × 2 × H × W, in output cells */
  at::Tensor offset;             /* N × 2 × H × W */
  at::Tensor neck;               /* N × neck × H × W */
};

/* A CenterNet-style detector: a backbone to stride 32, a top-down neck
 * back to stride 4, and heatmap / size / offset heads. */
struct DetectorImpl : torch::nn::Module
{
  DetectorImpl (const ArchSpec &spec, int n_classes);
  /* images in [0, 1] → the backbone's four maps (strides 4 to 32) */
  std::vector<at::Tensor> levels (const at::Tensor &images);
  at::Tensor features (const at::Tensor &images);   /* images in [0, 1] → neck */
  HeadOutputs forward (const at::Tensor &images);

  ArchSpec spec;
  int n_classes;
  std::shared_ptr<BackboneImpl> backbone;
  std::vector<torch::nn::Conv2d> laterals;
  ConvNorm smooth{nullptr};
  Head heatmap_head{nullptr};
  Head size_head{nullptr};
  Head offset_head{nullptr};
  at::Tensor mean, std;          /* normalisation, applied inside the model */
};
TORCH_MODULE (Detector);

/* Per-object training targets for one batch. */
struct Targets
{
  at::Tensor heatmap;            /* N × C × H × W gaussian peaks */
  at::Tensor index;              /* objects: flat index b·H·W + y·W + x */
  at::Tensor size;               /* objects × 2 */
  at::Tensor offset;             /* objects × 2 */
  at::Tensor image;              /* objects: image index in the batch */
  at::Tensor plane;              /* objects: b·C + class, their heat-map plane */
  at::Tensor region;             /* objects × H × W: 1 where a peak would still find the object */
  int n_objects = 0;
};

struct LossParts
{
  at::Tensor total, focal, size, offset;
};

/* Restores a model's training flag and parameter requires_grad on scope exit,
 * so attacks neither touch batch-norm statistics nor accumulate gradients. */
class FrozenEval
{
public:
  explicit FrozenEval (torch::nn::Module &module);
  ~FrozenEval ();
private:
  torch::nn::Module &module_;
  bool was_training_;
  std::vector<bool> requires_grad_;
};

} /* namespace otter */

struct _OtterTorchModel
{
  otter::Detector detector{nullptr};
  std::vector<std::string> class_names;
  std::vector<const char *> class_name_ptrs;   /* NULL-terminated view */
  int input_size = 0;
  at::Device device = at::kCPU;
  std::string metadata;                        /* JSON or empty */
  /* Where the backbone's initial weights came from: empty for a random
   * start, else the weights file's name and SHA-256. */
  std::string backbone_init_file;
  std::string backbone_init_sha256;
};

namespace otter {

constexpr int kStride = 4;
/* Images and convolution weights in channels-last order: oneDNN's
 * convolutions then skip a reorder on every call. On the 2-core CPU,
 * tiny at 320 px, one thread: standard 916 → 760 ms, ot 3199 → 2370 ms. */
constexpr bool kChannelsLast = true;
constexpr double kSizeWeight = 0.1;
constexpr double kOffsetWeight = 1.0;
/* Detections of a class overlapping a better one this much are dropped:
 * 0.5 measured best on the raccoon photos (AP50 0.206 without NMS, 0.278
 * at 0.3, 0.345 at 0.5, 0.313 at 0.6, with a tiny model). */
constexpr float kNmsIou = 0.5f;

at::Device preferred_device ();
void set_error (GError **error, const std::exception &e);
bool check_batch (OtterTorchModel *model, const OtterTorchBatch *batch, bool need_boxes, GError **error);
at::Tensor images_to_tensor (OtterTorchModel *model, const OtterTorchBatch *batch);
void tensor_to_images (const at::Tensor &images, float *out);
Targets build_targets (OtterTorchModel *model, const OtterTorchBatch *batch, int out_h, int out_w);
LossParts detection_loss (const HeadOutputs &out, const Targets &targets, int64_t first, int64_t count);

/* OT pieces shared by the attack and the training step. */
at::Tensor ot_vectors (const at::Tensor &neck, OtterFeatureSpace space, int max_side);
at::Tensor ot_cost (const at::Tensor &a, const at::Tensor &b);
/* Potentials (f: B × n × 1, g: B × 1 × m) of a solved plan, to start the
 * next solve on a nearby cost from; undefined tensors for a cold start. */
struct SinkhornWarmStart
{
  at::Tensor f, g;
};
at::Tensor sinkhorn_plan (const at::Tensor &cost, double reg, int max_iter, double tol,
                          int *iterations, double *marginal_error, bool differentiable = false,
                          SinkhornWarmStart *warm = nullptr);
/* `warm`, when given, receives the last plan's potentials (for a solve
 * on nearby features, such as the training step's D). */
at::Tensor ot_target_perturbation (Detector &detector, const at::Tensor &images,
                                   const OtterTorchOtParams &params, guint64 seed,
                                   double *d_start, SinkhornWarmStart *warm = nullptr);
at::Tensor pgd_worst_of_restarts (OtterTorchModel *model, const at::Tensor &images,
                                  const Targets &targets, float epsilon, float step_size,
                                  int steps, int restarts, guint64 seed);
at::Tensor pgd_perturbation (OtterTorchModel *model, const at::Tensor &images,
                             const Targets &targets, float epsilon, float step_size,
                             int steps, bool random_start, guint64 seed);

/* Model files: a self-describing container of named tensors. */
using TensorMap = std::vector<std::pair<std::string, at::Tensor>>;
bool container_write (const char *path, const std::string &header_json,
                      const TensorMap &tensors, GError **error);
bool container_read (const char *path, std::string &header_json,
                     std::map<std::string, at::Tensor> &tensors, GError **error);
std::string model_header_json (OtterTorchModel *model, const TensorMap &tensors,
                               const char *metadata_json, const char *extra_json);
TensorMap model_tensors (OtterTorchModel *model);
const char *backbone_family_name (BackboneFamily family);
/* Restores where the backbone's initial weights came from, from a model
 * file's header. */
void model_read_backbone_init (OtterTorchModel *model, JsonObject *header);
bool model_assign_tensors (OtterTorchModel *model, const char *path,
                           std::map<std::string, at::Tensor> &tensors, GError **error);

/* PyTorch's torch.save files (otter-torch-pth.cpp). Reading also returns
 * the file's SHA-256 and checks it against a hash prefix in the file name
 * (NAME-HASH.pth, as torchvision names its weights). */
bool pth_read_state_dict (const char *path, TensorMap &state, std::string &sha256, GError **error);
bool pth_write_state_dict (const char *path, const TensorMap &state, GError **error);

/* A group of training processes (otter-torch-dist.cpp); each does nothing
 * for a NULL group or a group of one. Both throw when a peer is lost. */
void group_sum_tensors (OtterTorchGroup *group, std::vector<at::Tensor> &tensors);
void group_broadcast_tensors (OtterTorchGroup *group, std::vector<at::Tensor> &tensors);
/* The error of a collective that threw: which rank lost which group. */
void group_set_error (OtterTorchGroup *group, const char *what, const std::exception &e, GError **error);

} /* namespace otter */
