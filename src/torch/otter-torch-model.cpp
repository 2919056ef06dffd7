/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-torch-model.cpp: runtime, the detector, its loss and decoding */

#include "config.h"

#include <array>

#include <torch/nn/functional/pooling.h>
#include <torch/cuda.h>
#include <ATen/Parallel.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/version.h>

#include <cinttypes>
#include <cmath>
#include <cstring>

#include "otter-torch-private.hpp"
/* after libtorch's headers, which use _ as a name of their own */
#include <glib/gi18n-lib.h>

G_DEFINE_QUARK (otter-torch-error-quark, otter_torch_error)

namespace otter {

/* ---- runtime ------------------------------------------------------------ */

at::Device
preferred_device ()
{
  return torch::cuda::is_available () ? at::Device (at::kCUDA) : at::Device (at::kCPU);
}

void
set_error (GError **error, const std::exception &e)
{
  /* libtorch messages carry a C++ backtrace after the first line; users
   * only need the first line. */
  std::string msg = e.what ();
  size_t nl = msg.find ('\n');
  if (nl != std::string::npos)
    msg.resize (nl);
  g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_FAILED, _("libtorch: %s"), msg.c_str ());
}

/* ---- the detector ------------------------------------------------------- */

HeadImpl::HeadImpl (int in, int hidden, int out, double bias)
{
  hidden_conv = register_module ("hidden", torch::nn::Conv2d (torch::nn::Conv2dOptions (in, hidden, 3)
                                                                .padding (1)));
  out_conv = register_module ("out", torch::nn::Conv2d (torch::nn::Conv2dOptions (hidden, out, 1)));
  torch::NoGradGuard no_grad;
  out_conv->bias.fill_ (bias);
}

at::Tensor
HeadImpl::forward (const at::Tensor &x)
{
  return out_conv (hidden_conv (x).relu_ ());
}

DetectorImpl::DetectorImpl (const ArchSpec &arch, int classes)
  : spec (arch), n_classes (classes)
{
  backbone = register_module ("backbone", backbone_new (spec));
  for (int i = 0; i < 4; i++)
    laterals.push_back (register_module ("lateral" + std::to_string (i + 1),
                                         torch::nn::Conv2d (torch::nn::Conv2dOptions (backbone->channels[i], spec.neck, 1))));
  smooth = register_module ("smooth", ConvNorm (torch::nn::Conv2d (torch::nn::Conv2dOptions (spec.neck, spec.neck, 3)
                                                                     .padding (1)
                                                                     .bias (false)),
                                               torch::nn::BatchNorm2d (spec.neck), Activation::ReLU,
                                               "conv", "bn"));
  /* The heatmap bias starts at log(0.1/0.9) so the focal loss does not
   * begin with a flood of confident false positives (CenterNet's prior). */
  heatmap_head = register_module ("heatmap", Head (spec.neck, spec.head, n_classes, -2.19));
  size_head = register_module ("size", Head (spec.neck, spec.head, 2, 0.0));
  offset_head = register_module ("offset", Head (spec.neck, spec.head, 2, 0.0));
  /* ImageNet's statistics, which torchvision's pretrained backbones
   * expect; harmless for a random start. */
  mean = register_buffer ("mean", at::tensor ({ 0.485f, 0.456f, 0.406f }).view ({ 1, 3, 1, 1 }));
  std = register_buffer ("std", at::tensor ({ 0.229f, 0.224f, 0.225f }).view ({ 1, 3, 1, 1 }));
  if (kChannelsLast)
    {
      /* Loading weights copies into these tensors and keeps their order. */
      torch::NoGradGuard no_grad;
      for (at::Tensor &p : parameters ())
        if (p.dim () == 4)
          p.set_data (p.contiguous (at::MemoryFormat::ChannelsLast));
    }
}

std::vector<at::Tensor>
DetectorImpl::levels (const at::Tensor &images)
{
  /* (x − mean) / std as one fused x · (1 / std) − mean / std: in
   * channels-last order the two broadcasting passes took 21 ms on a
   * batch of 16 at 320 px, the one pass 6 ms. */
  at::Tensor scale = std.reciprocal ();
  return backbone->levels (at::addcmul (-mean * scale, images, scale));
}

at::Tensor
DetectorImpl::features (const at::Tensor &images)
{
  std::vector<at::Tensor> lv = levels (images);
  at::Tensor top = laterals[3] (lv[3]);
  for (int i = 2; i >= 0; i--)
    top = laterals[i] (lv[i]) + at::upsample_nearest2d (top, { lv[i].size (2), lv[i].size (3) });
  return smooth (top);
}

HeadOutputs
DetectorImpl::forward (const at::Tensor &images)
{
  HeadOutputs out;
  out.neck = features (images);
  out.heatmap = heatmap_head (out.neck);
  out.size = size_head (out.neck);
  out.offset = offset_head (out.neck);
  return out;
}

FrozenEval::FrozenEval (torch::nn::Module &module)
  : module_ (module), was_training_ (module.is_training ())
{
  module_.eval ();
  for (auto &p : module_.parameters ())
    {
      requires_grad_.push_back (p.requires_grad ());
      p.set_requires_grad (false);
    }
}

FrozenEval::~FrozenEval ()
{
  size_t i = 0;
  for (auto &p : module_.parameters ())
    p.set_requires_grad (requires_grad_[i++]);
  module_.train (was_training_);
}

/* ---- batches ------------------------------------------------------------ */

bool
check_batch (OtterTorchModel *model, const OtterTorchBatch *batch, bool need_boxes, GError **error)
{
  if (batch == nullptr || batch->n <= 0 || batch->images == nullptr)
    {
      g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT, _("empty batch"));
      return false;
    }
  if (batch->size != model->input_size)
    {
      g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT,
                   _("batch images are %d px but the model takes %d px"), batch->size, model->input_size);
      return false;
    }
  if (need_boxes && (batch->box_start == nullptr || (batch->boxes == nullptr && batch->box_start[batch->n] > 0)))
    {
      g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT,
                   _("this computation needs ground-truth boxes"));
      return false;
    }
  if (need_boxes)
    {
      int n_classes = (int) model->class_names.size ();
      for (int i = 0; i < batch->box_start[batch->n]; i++)
        if (batch->boxes[i].class_id < 0 || batch->boxes[i].class_id >= n_classes)
          {
            g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT,
                         _("box class %d is outside the model's %d classes"),
                         batch->boxes[i].class_id, n_classes);
            return false;
          }
    }
  return true;
}

at::Tensor
images_to_tensor (OtterTorchModel *model, const OtterTorchBatch *batch)
{
  /* from_blob borrows; clone so nothing downstream can write into the
   * caller's buffer. */
  at::Tensor host = at::from_blob (const_cast<float *> (batch->images),
                                   { batch->n, 3, batch->size, batch->size }, at::kFloat);
  if (kChannelsLast)
    return host.to (model->device).contiguous (at::MemoryFormat::ChannelsLast);
  return host.to (model->device).clone ();
}

void
tensor_to_images (const at::Tensor &images, float *out)
{
  at::Tensor host = images.detach ().to (at::kCPU).contiguous ();
  memcpy (out, host.data_ptr<float> (), host.numel () * sizeof (float));
}

/* CenterNet's radius: the largest shift of a corner that keeps IoU ≥ 0.7. */
static double
gaussian_radius (double h, double w, double min_overlap)
{
  double b1 = h + w;
  double c1 = w * h * (1 - min_overlap) / (1 + min_overlap);
  double r1 = (b1 + std::sqrt (b1 * b1 - 4 * c1)) / 2;
  double b2 = 2 * (h + w);
  double c2 = (1 - min_overlap) * w * h;
  double r2 = (b2 + std::sqrt (b2 * b2 - 16 * c2)) / 2;
  double a3 = 4 * min_overlap;
  double b3 = -2 * min_overlap * (h + w);
  double c3 = (min_overlap - 1) * w * h;
  double r3 = (b3 + std::sqrt (b3 * b3 - 4 * a3 * c3)) / 2;
  return std::min (r1, std::min (r2, r3));
}

Targets
build_targets (OtterTorchModel *model, const OtterTorchBatch *batch, int out_h, int out_w)
{
  int n_classes = (int) model->class_names.size ();
  at::Tensor heatmap = at::zeros ({ batch->n, n_classes, out_h, out_w }, at::kFloat);
  float *hm = heatmap.data_ptr<float> ();
  std::vector<int64_t> index, image, plane_of;
  std::vector<float> size, offset;
  std::vector<std::array<int, 4>> regions;

  for (int b = 0; b < batch->n; b++)
    for (int k = batch->box_start[b]; k < batch->box_start[b + 1]; k++)
      {
        const OtterTorchBox &box = batch->boxes[k];
        double w = (box.x2 - box.x1) / kStride;
        double h = (box.y2 - box.y1) / kStride;
        if (!(w > 0 && h > 0))
          continue;
        double cx = (box.x1 + box.x2) / 2.0 / kStride;
        double cy = (box.y1 + box.y2) / 2.0 / kStride;
        int ix = std::clamp ((int) cx, 0, out_w - 1);
        int iy = std::clamp ((int) cy, 0, out_h - 1);
        int radius = std::max (0, (int) gaussian_radius (std::ceil (h), std::ceil (w), 0.7));
        double sigma = (2 * radius + 1) / 6.0;
        float *plane = hm + ((int64_t) b * n_classes + box.class_id) * out_h * out_w;
        for (int y = std::max (0, iy - radius); y <= std::min (out_h - 1, iy + radius); y++)
          for (int x = std::max (0, ix - radius); x <= std::min (out_w - 1, ix + radius); x++)
            {
              double dx = x - ix, dy = y - iy;
              float v = (float) std::exp (-(dx * dx + dy * dy) / (2 * sigma * sigma));
              float &cell = plane[y * out_w + x];
              cell = std::max (cell, v);
            }
        plane[iy * out_w + ix] = 1.0f;
        index.push_back ((int64_t) b * out_h * out_w + iy * out_w + ix);
        image.push_back (b);
        plane_of.push_back ((int64_t) b * n_classes + box.class_id);
        /* A peak this close to the centre, with the object's size, still
         * overlaps the box by IoU ≥ 0.5 (a quarter of each side). */
        int rx = std::max (1, (int) (w / 4)), ry = std::max (1, (int) (h / 4));
        regions.push_back ({ std::max (0, ix - rx), std::max (0, iy - ry),
                             std::min (out_w - 1, ix + rx), std::min (out_h - 1, iy + ry) });
        size.push_back ((float) w);
        size.push_back ((float) h);
        offset.push_back ((float) (cx - ix));
        offset.push_back ((float) (cy - iy));
      }

  Targets t;
  t.n_objects = (int) index.size ();
  t.heatmap = heatmap.to (model->device);
  t.index = at::tensor (index.empty () ? std::vector<int64_t>{} : index, at::kLong).to (model->device);
  t.image = at::tensor (image.empty () ? std::vector<int64_t>{} : image, at::kLong).to (model->device);
  t.size = at::tensor (size.empty () ? std::vector<float>{} : size, at::kFloat).view ({ -1, 2 }).to (model->device);
  t.offset = at::tensor (offset.empty () ? std::vector<float>{} : offset, at::kFloat).view ({ -1, 2 }).to (model->device);
  t.plane = at::tensor (plane_of.empty () ? std::vector<int64_t>{} : plane_of, at::kLong).to (model->device);
  at::Tensor region = at::zeros ({ (int64_t) regions.size (), out_h, out_w }, at::kFloat);
  for (size_t k = 0; k < regions.size (); k++)
    region[(int64_t) k].narrow (0, regions[k][1], regions[k][3] - regions[k][1] + 1)
                       .narrow (1, regions[k][0], regions[k][2] - regions[k][0] + 1).fill_ (1.0f);
  t.region = region.to (model->device);
  return t;
}

/* Loss of images [first, first + count) of a forward pass whose targets
 * were built for images [0, count) (the training step runs clean and
 * perturbed copies of the same batch in one pass). */
LossParts
detection_loss (const HeadOutputs &out, const Targets &targets, int64_t first, int64_t count)
{
  at::Tensor logits = out.heatmap.narrow (0, first, count);
  const at::Tensor &gt = targets.heatmap;
  at::Tensor p = at::sigmoid (logits);
  at::Tensor pos = gt.eq (1.0).to (at::kFloat);
  at::Tensor neg_weight = at::pow (1 - gt, 4) * (1 - pos);
  /* log σ(x) and log(1 − σ(x)) through log_sigmoid stay finite for large
   * logits, where log(sigmoid(x)) would give −inf. */
  at::Tensor pos_term = at::log_sigmoid (logits) * at::pow (1 - p, 2) * pos;
  at::Tensor neg_term = at::log_sigmoid (-logits) * at::pow (p, 2) * neg_weight;
  double n_pos = std::max (1, targets.n_objects);

  LossParts parts;
  parts.focal = -(pos_term.sum () + neg_term.sum ()) / n_pos;
  if (targets.n_objects > 0)
    {
      int64_t h = logits.size (2), w = logits.size (3);
      at::Tensor index = targets.index;
      auto gather = [&] (const at::Tensor &map) {
        at::Tensor flat = map.narrow (0, first, count).permute ({ 0, 2, 3, 1 }).reshape ({ count * h * w, 2 });
        return flat.index_select (0, index);
      };
      parts.size = at::l1_loss (gather (out.size), targets.size, at::Reduction::Sum) / n_pos;
      parts.offset = at::l1_loss (gather (out.offset), targets.offset, at::Reduction::Sum) / n_pos;
    }
  else
    {
      parts.size = at::zeros ({}, logits.options ());
      parts.offset = at::zeros ({}, logits.options ());
    }
  parts.total = parts.focal + kSizeWeight * parts.size + kOffsetWeight * parts.offset;
  return parts;
}

} /* namespace otter */

using namespace otter;

/* ---- C API: runtime ----------------------------------------------------- */

void
otter_torch_set_threads (int n_threads)
{
  g_return_if_fail (n_threads > 0);
  at::set_num_threads (n_threads);
}

int
otter_torch_get_threads (void)
{
  return at::get_num_threads ();
}

gboolean
otter_torch_cuda_available (void)
{
  return torch::cuda::is_available ();
}

const char *
otter_torch_device_name (void)
{
  return torch::cuda::is_available () ? "cuda" : "cpu";
}

const char *
otter_torch_version (void)
{
  return TORCH_VERSION;
}

void
otter_torch_seed (guint64 seed)
{
  torch::manual_seed (seed);
}

/* ---- C API: models ------------------------------------------------------ */

const char *const *
otter_torch_model_archs (void)
{
  static std::vector<const char *> names;
  if (names.empty ())
    {
      for (const ArchSpec &spec : arch_all ())
        names.push_back (spec.name.c_str ());
      names.push_back (nullptr);
    }
  return names.data ();
}

static void
model_set_class_names (OtterTorchModel *model, const std::vector<std::string> &names)
{
  model->class_names = names;
  model->class_name_ptrs.clear ();
  for (const std::string &n : model->class_names)
    model->class_name_ptrs.push_back (n.c_str ());
  model->class_name_ptrs.push_back (nullptr);
}

OtterTorchModel *
otter_torch_model_new (const char        *arch,
                       const char *const *class_names,
                       int                input_size,
                       guint64            seed,
                       GError           **error)
{
  g_return_val_if_fail (arch != nullptr, nullptr);

  const ArchSpec *spec = arch_lookup (arch);
  if (spec == nullptr)
    {
      g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT,
                   _("unknown architecture “%s” (expected tiny, small, resnet18 or mobilenet_v3_large)"), arch);
      return nullptr;
    }
  std::vector<std::string> names;
  for (int i = 0; class_names != nullptr && class_names[i] != nullptr; i++)
    names.emplace_back (class_names[i]);
  if (names.empty () || names.size () > 1000)
    {
      g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT,
                   _("a model needs between 1 and 1000 classes, not %zu"), names.size ());
      return nullptr;
    }
  if (input_size < 32 || input_size > 2048 || input_size % 32 != 0)
    {
      g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT,
                   _("input size %d must be a multiple of 32 between 32 and 2048"), input_size);
      return nullptr;
    }

  try
    {
      auto *model = new OtterTorchModel ();
      /* Seed a private generator's worth of state: manual_seed is global,
       * so creation is deterministic as long as models are created on one
       * thread at a time. */
      torch::manual_seed (seed);
      model->detector = Detector (*spec, (int) names.size ());
      model->device = preferred_device ();
      model->detector->to (model->device);
      model->input_size = input_size;
      model_set_class_names (model, names);
      return model;
    }
  catch (const std::exception &e)
    {
      set_error (error, e);
      return nullptr;
    }
}

void
otter_torch_model_free (OtterTorchModel *model)
{
  delete model;
}

const char *
otter_torch_model_get_arch (OtterTorchModel *model)
{
  g_return_val_if_fail (model != nullptr, nullptr);
  return model->detector->spec.name.c_str ();
}

int
otter_torch_model_get_n_classes (OtterTorchModel *model)
{
  g_return_val_if_fail (model != nullptr, 0);
  return (int) model->class_names.size ();
}

const char *const *
otter_torch_model_get_class_names (OtterTorchModel *model)
{
  g_return_val_if_fail (model != nullptr, nullptr);
  return model->class_name_ptrs.data ();
}

int
otter_torch_model_get_input_size (OtterTorchModel *model)
{
  g_return_val_if_fail (model != nullptr, 0);
  return model->input_size;
}

int
otter_torch_model_get_stride (OtterTorchModel *model)
{
  return kStride;
}

gint64
otter_torch_model_get_n_params (OtterTorchModel *model)
{
  g_return_val_if_fail (model != nullptr, 0);
  gint64 n = 0;
  for (const auto &p : model->detector->parameters ())
    n += p.numel ();
  return n;
}

const char *
otter_torch_model_get_metadata (OtterTorchModel *model)
{
  g_return_val_if_fail (model != nullptr, nullptr);
  return model->metadata.empty () ? nullptr : model->metadata.c_str ();
}

char *
otter_torch_model_describe (OtterTorchModel *model)
{
  g_return_val_if_fail (model != nullptr, nullptr);
  const ArchSpec &s = model->detector->spec;
  GString *text = g_string_new (nullptr);
  /* The first column lines up with the labels below it; a translation
   * lines up its own. */
  g_string_append_printf (text,
                          g_dngettext (GETTEXT_PACKAGE,
                                       "CenterNet-style detector “%s”, %d×%d input, %zu class, %" PRId64 " parameters\n",
                                       "CenterNet-style detector “%s”, %d×%d input, %zu classes, %" PRId64 " parameters\n",
                                       model->class_names.size ()),
                          s.name.c_str (), model->input_size, model->input_size,
                          model->class_names.size (), (int64_t) otter_torch_model_get_n_params (model));
  switch (s.family)
    {
    case BackboneFamily::Plain:
      g_string_append_printf (text, _("  stem      3×3 conv, stride 2, %d channels\n"), s.stem);
      for (int i = 0; i < 4; i++)
        g_string_append_printf (text,
                                g_dngettext (GETTEXT_PACKAGE, "  stage %d   stride %2d, %3d channels, %d conv\n",
                                             "  stage %d   stride %2d, %3d channels, %d convs\n", 1 + s.depth),
                                i + 1, 4 << i, s.widths[i], 1 + s.depth);
      break;
    case BackboneFamily::ResNet:
      g_string_append_printf (text, _("  stem      %d×%d conv, stride 2, %d channels, 3×3 max-pool\n"),
                              s.stem_kernel, s.stem_kernel, s.stem);
      for (int i = 0; i < 4; i++)
        g_string_append_printf (text,
                                g_dngettext (GETTEXT_PACKAGE, "  layer%d    stride %2d, %3d channels, %d residual block\n",
                                             "  layer%d    stride %2d, %3d channels, %d residual blocks\n", s.depth),
                                i + 1, 4 << i, s.widths[i], s.depth);
      break;
    case BackboneFamily::MobileNetV3:
      g_string_append (text, _("  backbone  MobileNetV3-Large: 15 inverted residual blocks (squeeze-excitation, hard-swish)\n"
                               "            taken at strides 4, 8, 16, 32 with 24, 40, 112, 960 channels\n"));
      break;
    }
  if (!model->backbone_init_file.empty ())
    g_string_append_printf (text, _("  weights   backbone initialised from %s (SHA-256 %.16s…)\n"),
                            model->backbone_init_file.c_str (), model->backbone_init_sha256.c_str ());
  g_string_append_printf (text, _("  neck      top-down to stride %d, %d channels\n"), kStride, s.neck);
  g_string_append_printf (text, _("  heads     heatmap (%zu), size (2), offset (2); %d hidden channels\n"),
                          model->class_names.size (), s.head);
  /* Translators: cuda or cpu follows, as libtorch names the device */
  g_string_append_printf (text, _("  device    %s"), model->device.is_cuda () ? "cuda" : "cpu");
  return g_string_free (text, FALSE);
}

static float
detection_iou (const OtterTorchDetection *a, const OtterTorchDetection *b)
{
  float w = std::min (a->x2, b->x2) - std::max (a->x1, b->x1);
  float h = std::min (a->y2, b->y2) - std::max (a->y1, b->y1);
  if (w <= 0 || h <= 0)
    return 0;
  float inter = w * h;
  return inter / ((a->x2 - a->x1) * (a->y2 - a->y1) + (b->x2 - b->x1) * (b->y2 - b->y1) - inter);
}

/* Whether a better-scored detection of the same class, already kept,
 * overlaps d by kNmsIou or more. */
static bool
suppressed_by (const OtterTorchDetection *d, const OtterTorchDetection *kept, guint n_kept)
{
  for (guint i = 0; i < n_kept; i++)
    if (kept[i].class_id == d->class_id && detection_iou (d, &kept[i]) >= kNmsIou)
      return true;
  return false;
}

gboolean
otter_torch_model_loss (OtterTorchModel       *model,
                        const OtterTorchBatch *batch,
                        OtterTorchLoss        *loss,
                        GError               **error)
{
  g_return_val_if_fail (model != nullptr, FALSE);
  g_return_val_if_fail (loss != nullptr, FALSE);
  if (!check_batch (model, batch, true, error))
    return FALSE;
  try
    {
      torch::NoGradGuard no_grad;
      FrozenEval frozen (*model->detector);
      at::Tensor images = images_to_tensor (model, batch);
      HeadOutputs out = model->detector->forward (images);
      Targets targets = build_targets (model, batch, out.heatmap.size (2), out.heatmap.size (3));
      LossParts parts = detection_loss (out, targets, 0, batch->n);
      loss->total = parts.total.item<double> ();
      loss->focal = parts.focal.item<double> ();
      loss->size = parts.size.item<double> ();
      loss->offset = parts.offset.item<double> ();
      return TRUE;
    }
  catch (const std::exception &e)
    {
      set_error (error, e);
      return FALSE;
    }
}

GArray *
otter_torch_model_detect (OtterTorchModel       *model,
                          const OtterTorchBatch *batch,
                          float                  score_threshold,
                          int                    max_per_image,
                          GError               **error)
{
  g_return_val_if_fail (model != nullptr, nullptr);
  if (!check_batch (model, batch, false, error))
    return nullptr;
  if (max_per_image <= 0)
    max_per_image = 100;
  try
    {
      torch::NoGradGuard no_grad;
      FrozenEval frozen (*model->detector);
      HeadOutputs out = model->detector->forward (images_to_tensor (model, batch));
      at::Tensor heat = at::sigmoid (out.heatmap);
      int64_t n = heat.size (0), c = heat.size (1), h = heat.size (2), w = heat.size (3);
      /* A cell is a candidate when it is the maximum of its 3×3
       * neighbourhood. That alone leaves several peaks on a large object
       * (its heatmap is broad and flat), which count as duplicates, so
       * the candidates then go through a greedy per-class NMS. */
      at::Tensor peaks = at::max_pool2d (heat, { 3, 3 }, { 1, 1 }, { 1, 1 });
      heat = heat * heat.eq (peaks).to (at::kFloat);
      /* NMS removes some: take more candidates than will be kept. */
      int64_t k = std::min<int64_t> (std::max (2 * max_per_image, 100), c * h * w);
      /* flat indices in (class, row, column) order, whatever the layout */
      auto top = heat.contiguous ().view ({ n, -1 }).topk (k, 1);
      at::Tensor scores = std::get<0> (top).to (at::kCPU).contiguous ();
      at::Tensor idx = std::get<1> (top).to (at::kCPU).contiguous ();
      at::Tensor size = out.size.to (at::kCPU).contiguous ();
      at::Tensor offset = out.offset.to (at::kCPU).contiguous ();
      const float *sp = scores.data_ptr<float> ();
      const int64_t *ip = idx.data_ptr<int64_t> ();
      const float *szp = size.data_ptr<float> ();
      const float *ofp = offset.data_ptr<float> ();
      float limit = (float) model->input_size;

      GArray *dets = g_array_new (FALSE, FALSE, sizeof (OtterTorchDetection));
      for (int64_t b = 0; b < n; b++)
        for (int64_t j = 0, first = dets->len; j < k && (int) (dets->len - first) < max_per_image; j++)
          {
            float score = sp[b * k + j];
            if (score < score_threshold)
              break;                        /* topk is sorted */
            int64_t flat = ip[b * k + j];
            int64_t cls = flat / (h * w), cell = flat % (h * w);
            int64_t y = cell / w, x = cell % w;
            const float *sz = szp + b * 2 * h * w;
            const float *of = ofp + b * 2 * h * w;
            float cx = (x + of[cell]) * kStride;
            float cy = (y + of[h * w + cell]) * kStride;
            float bw = std::max (0.0f, sz[cell]) * kStride;
            float bh = std::max (0.0f, sz[h * w + cell]) * kStride;
            OtterTorchDetection d;
            d.x1 = std::clamp (cx - bw / 2, 0.0f, limit);
            d.y1 = std::clamp (cy - bh / 2, 0.0f, limit);
            d.x2 = std::clamp (cx + bw / 2, 0.0f, limit);
            d.y2 = std::clamp (cy + bh / 2, 0.0f, limit);
            d.score = score;
            d.class_id = (int) cls;
            d.image = (int) b;
            if (!suppressed_by (&d, &g_array_index (dets, OtterTorchDetection, first), dets->len - first))
              g_array_append_val (dets, d);
          }
      return dets;
    }
  catch (const std::exception &e)
    {
      set_error (error, e);
      return nullptr;
    }
}

gboolean
otter_torch_model_backbone_levels (OtterTorchModel       *model,
                                   const OtterTorchBatch *batch,
                                   float                 *levels[4],
                                   int                    shapes[4][4],
                                   GError               **error)
{
  g_return_val_if_fail (model != nullptr && levels != nullptr && shapes != nullptr, FALSE);
  if (!check_batch (model, batch, false, error))
    return FALSE;
  try
    {
      torch::NoGradGuard no_grad;
      FrozenEval frozen (*model->detector);
      std::vector<at::Tensor> lv = model->detector->levels (images_to_tensor (model, batch));
      for (int i = 0; i < 4; i++)
        {
          at::Tensor host = lv[i].to (at::kCPU).contiguous ();
          for (int d = 0; d < 4; d++)
            shapes[i][d] = (int) host.size (d);
          levels[i] = g_new (float, host.numel ());
          memcpy (levels[i], host.data_ptr<float> (), host.numel () * sizeof (float));
        }
      return TRUE;
    }
  catch (const std::exception &e)
    {
      set_error (error, e);
      return FALSE;
    }
}

const char *
otter_torch_model_get_backbone_init (OtterTorchModel  *model,
                                     const char      **sha256)
{
  g_return_val_if_fail (model != nullptr, nullptr);
  bool random = model->backbone_init_file.empty ();
  if (sha256 != nullptr)
    *sha256 = random ? nullptr : model->backbone_init_sha256.c_str ();
  return random ? nullptr : model->backbone_init_file.c_str ();
}
