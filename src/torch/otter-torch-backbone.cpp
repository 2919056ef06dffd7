/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-torch-backbone.cpp: tiny, small, resnet18 and mobilenet_v3_large
 *
 * Module names are the contract here: torchvision's state_dict keys are
 * the paths of its modules, and libtorch names the children of a
 * Sequential "0", "1", ... as PyTorch does, so registering the same
 * modules under the same names in the same order makes the keys equal.
 * A convolution with its batch norm is one ConvNorm, which registers the
 * two under the names torchvision's Sequential gives them ("0", "1");
 * activations own no tensors, so they do not appear in the keys.
 */

#include "config.h"

#include <optional>
#include <stdexcept>

#include "otter-torch-backbone.hpp"
/* after libtorch's headers, which use _ as a name of their own */
#include <glib/gi18n-lib.h>

namespace otter {

static const std::vector<ArchSpec> arch_specs = {
  { "tiny", BackboneFamily::Plain, 16, 3, { 24, 48, 96, 128 }, 0, 48, 32, "" },
  { "small", BackboneFamily::ResNet, 32, 3, { 32, 64, 128, 256 }, 1, 64, 48, "" },
  { "resnet18", BackboneFamily::ResNet, 64, 7, { 64, 128, 256, 512 }, 2, 64, 64, "resnet18" },
  { "mobilenet_v3_large", BackboneFamily::MobileNetV3, 16, 3, { 24, 40, 112, 960 }, 0, 64, 64,
    "mobilenet_v3_large" },
};

const std::vector<ArchSpec> &
arch_all ()
{
  return arch_specs;
}

const ArchSpec *
arch_lookup (const std::string &name)
{
  for (const ArchSpec &spec : arch_specs)
    if (spec.name == name)
      return &spec;
  return nullptr;
}

static torch::nn::Conv2d
conv (int in, int out, int kernel, int stride, int groups = 1, bool bias = false)
{
  return torch::nn::Conv2d (torch::nn::Conv2dOptions (in, out, kernel)
                              .stride (stride)
                              .padding ((kernel - 1) / 2)
                              .groups (groups)
                              .bias (bias));
}

static torch::nn::BatchNorm2d
batch_norm (int channels, double eps = 1e-5, double momentum = 0.1)
{
  return torch::nn::BatchNorm2d (torch::nn::BatchNorm2dOptions (channels).eps (eps).momentum (momentum));
}

/* A convolution's zero padding, or nullopt for any other kind. Its
 * options hold c10::variant in libtorch 1.x and std::variant in 2.x; with
 * both namespaces in sight, get_if resolves to the one that matches. */
static std::optional<std::vector<int64_t>>
zero_padding (const torch::nn::detail::ConvNdOptions<2> &options)
{
  using namespace std;
  using namespace c10;
  if (get_if<torch::enumtype::kZeros> (&options.padding_mode ()) == nullptr)
    return std::nullopt;
  const torch::ExpandingArray<2> *padding = get_if<torch::ExpandingArray<2>> (&options.padding ());
  if (padding == nullptr)
    return std::nullopt;
  return at::IntArrayRef (*padding).vec ();
}

at::Tensor
conv_bn (torch::nn::Conv2dImpl &conv, torch::nn::BatchNorm2dImpl &bn, const at::Tensor &x)
{
  bool needs_batch_norm = bn.is_training ()
    || !bn.options.affine () || !bn.options.track_running_stats ()
    || (at::GradMode::is_enabled () && (bn.weight.requires_grad () || conv.weight.requires_grad ()));
  std::optional<std::vector<int64_t>> padding;
  if (!needs_batch_norm)
    padding = zero_padding (conv.options);
  if (!padding)
    return bn.forward (conv.forward (x));
  /* y = γ (conv (x) − μ) / √(σ² + ε) + β, per output channel */
  at::Tensor scale = bn.weight * at::rsqrt (bn.running_var + bn.options.eps ());
  at::Tensor weight = (conv.weight * scale.view ({ -1, 1, 1, 1 }))
    .contiguous (conv.weight.suggest_memory_format ());
  at::Tensor bias = bn.bias - bn.running_mean * scale;
  if (conv.bias.defined ())
    bias = bias + conv.bias * scale;
  const torch::nn::detail::ConvNdOptions<2> &o = conv.options;
  return at::conv2d (x, weight, bias, *o.stride (), *padding, *o.dilation (), o.groups ());
}

ConvNormImpl::ConvNormImpl (torch::nn::Conv2d conv_, torch::nn::BatchNorm2d bn_, Activation activation_,
                            const char *conv_name, const char *bn_name)
  : activation (activation_)
{
  conv = register_module (conv_name, conv_);
  bn = register_module (bn_name, bn_);
}

at::Tensor
ConvNormImpl::forward (const at::Tensor &x)
{
  at::Tensor y = conv_bn (*conv, *bn, x);
  switch (activation)
    {
    case Activation::ReLU:
      /* In place: neither batch norm's backward nor the convolution's
       * needs its output, so this saves a copy of every activation. */
      return at::relu_ (y);
    case Activation::HardSwish:
      return at::hardswish (y);        /* its backward needs its input */
    case Activation::None:
    default:
      return y;
    }
}

/* ---- tiny: conv-bn-relu stages ------------------------------------------ */

struct PlainBackboneImpl : BackboneImpl
{
  explicit PlainBackboneImpl (const ArchSpec &spec)
  {
    stem = register_module ("stem", conv_bn_relu (3, spec.stem, 2));
    int in = spec.stem;
    for (int i = 0; i < 4; i++)
      {
        torch::nn::Sequential stage;
        stage->push_back (conv_bn_relu (in, spec.widths[i], 2));
        for (int d = 0; d < spec.depth; d++)
          stage->push_back (conv_bn_relu (spec.widths[i], spec.widths[i], 1));
        stages.push_back (register_module ("stage" + std::to_string (i + 1), stage));
        channels[i] = in = spec.widths[i];
      }
  }

  /* The names (conv, bn) are those of the tiny model files written
   * before backbones were separate modules. */
  static ConvNorm
  conv_bn_relu (int in, int out, int stride)
  {
    return ConvNorm (conv (in, out, 3, stride), batch_norm (out), Activation::ReLU, "conv", "bn");
  }

  std::vector<at::Tensor>
  levels (const at::Tensor &x) override
  {
    std::vector<at::Tensor> out;
    at::Tensor h = stem->forward (x);
    for (auto &stage : stages)
      out.push_back (h = stage->forward (h));
    return out;
  }

  ConvNorm stem{nullptr};
  std::vector<torch::nn::Sequential> stages;
};

/* ---- ResNet (torchvision's layout, BasicBlock) -------------------------- */

struct BasicBlockImpl : torch::nn::Module
{
  BasicBlockImpl (int in, int out, int stride)
  {
    conv1 = register_module ("conv1", conv (in, out, 3, stride));
    bn1 = register_module ("bn1", batch_norm (out));
    conv2 = register_module ("conv2", conv (out, out, 3, 1));
    bn2 = register_module ("bn2", batch_norm (out));
    if (stride != 1 || in != out)
      {
        downsample = register_module ("downsample", ConvNorm (conv (in, out, 1, stride), batch_norm (out),
                                                              Activation::None));
      }
  }

  at::Tensor
  forward (const at::Tensor &x)
  {
    at::Tensor y = conv_bn (*conv2, *bn2, conv_bn (*conv1, *bn1, x).relu_ ());
    return (y + (downsample.is_empty () ? x : downsample->forward (x))).relu_ ();
  }

  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  ConvNorm downsample{nullptr};
};
TORCH_MODULE (BasicBlock);

struct ResNetBackboneImpl : BackboneImpl
{
  explicit ResNetBackboneImpl (const ArchSpec &spec)
  {
    conv1 = register_module ("conv1", torch::nn::Conv2d (torch::nn::Conv2dOptions (3, spec.stem, spec.stem_kernel)
                                                           .stride (2).padding (spec.stem_kernel / 2)
                                                           .bias (false)));
    bn1 = register_module ("bn1", batch_norm (spec.stem));
    int in = spec.stem;
    for (int i = 0; i < 4; i++)
      {
        torch::nn::Sequential layer;
        for (int b = 0; b < spec.depth; b++)
          {
            layer->push_back (BasicBlock (in, spec.widths[i], b == 0 && i > 0 ? 2 : 1));
            in = spec.widths[i];
          }
        layers.push_back (register_module ("layer" + std::to_string (i + 1), layer));
        channels[i] = spec.widths[i];
      }
    /* torchvision's initialisation: He (fan-out) for convolutions. */
    for (auto &m : modules (false))
      if (auto *c = m->as<torch::nn::Conv2d> ())
        torch::nn::init::kaiming_normal_ (c->weight, 0.0, torch::kFanOut, torch::kReLU);
  }

  std::vector<at::Tensor>
  levels (const at::Tensor &x) override
  {
    at::Tensor h = conv_bn (*conv1, *bn1, x).relu_ ();
    h = at::max_pool2d (h, { 3, 3 }, { 2, 2 }, { 1, 1 });
    std::vector<at::Tensor> out;
    for (auto &layer : layers)
      out.push_back (h = layer->forward (h));
    return out;
  }

  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  std::vector<torch::nn::Sequential> layers;
};

/* ---- MobileNetV3-Large (torchvision's layout) --------------------------- */

/* torchvision rounds channel counts to multiples of 8 this way. */
static int
make_divisible (double v, int divisor = 8)
{
  int rounded = std::max (divisor, (int) (v + divisor / 2.0) / divisor * divisor);
  if (rounded < 0.9 * v)
    rounded += divisor;
  return rounded;
}

static ConvNorm
conv_norm_act (int in, int out, int kernel, int stride, int groups, bool hard_swish, bool activation = true)
{
  /* MobileNetV3 uses eps 0.001 and momentum 0.01 (torchvision). */
  return ConvNorm (conv (in, out, kernel, stride, groups), batch_norm (out, 0.001, 0.01),
                   !activation ? Activation::None : hard_swish ? Activation::HardSwish : Activation::ReLU);
}

struct SqueezeExcitationImpl : torch::nn::Module
{
  SqueezeExcitationImpl (int channels, int squeeze)
  {
    fc1 = register_module ("fc1", conv (channels, squeeze, 1, 1, 1, true));
    fc2 = register_module ("fc2", conv (squeeze, channels, 1, 1, 1, true));
  }

  at::Tensor
  forward (const at::Tensor &x)
  {
    at::Tensor s = at::adaptive_avg_pool2d (x, { 1, 1 });
    s = at::hardsigmoid (fc2 (fc1 (s).relu_ ()));
    return x * s;
  }

  torch::nn::Conv2d fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE (SqueezeExcitation);

struct InvertedResidualImpl : torch::nn::Module
{
  InvertedResidualImpl (int in, int kernel, int expanded, int out, bool se, bool hs, int stride)
    : residual (stride == 1 && in == out)
  {
    block = torch::nn::Sequential ();
    if (expanded != in)
      block->push_back (conv_norm_act (in, expanded, 1, 1, 1, hs));
    block->push_back (conv_norm_act (expanded, expanded, kernel, stride, expanded, hs));
    if (se)
      block->push_back (SqueezeExcitation (expanded, make_divisible (expanded / 4)));
    block->push_back (conv_norm_act (expanded, out, 1, 1, 1, hs, false));
    register_module ("block", block);
  }

  at::Tensor
  forward (const at::Tensor &x)
  {
    at::Tensor y = block->forward (x);
    return residual ? y + x : y;
  }

  bool residual;
  torch::nn::Sequential block{nullptr};
};
TORCH_MODULE (InvertedResidual);

struct MobileNetV3BackboneImpl : BackboneImpl
{
  MobileNetV3BackboneImpl ()
  {
    /* torchvision's mobilenet_v3_large table: input, kernel, expanded,
     * output, squeeze-excitation, hard-swish, stride. */
    struct Row { int in, kernel, expanded, out; bool se, hs; int stride; };
    static const Row rows[] = {
      { 16, 3, 16, 16, false, false, 1 },
      { 16, 3, 64, 24, false, false, 2 },
      { 24, 3, 72, 24, false, false, 1 },
      { 24, 5, 72, 40, true, false, 2 },
      { 40, 5, 120, 40, true, false, 1 },
      { 40, 5, 120, 40, true, false, 1 },
      { 40, 3, 240, 80, false, true, 2 },
      { 80, 3, 200, 80, false, true, 1 },
      { 80, 3, 184, 80, false, true, 1 },
      { 80, 3, 184, 80, false, true, 1 },
      { 80, 3, 480, 112, true, true, 1 },
      { 112, 3, 672, 112, true, true, 1 },
      { 112, 5, 672, 160, true, true, 2 },
      { 160, 5, 960, 160, true, true, 1 },
      { 160, 5, 960, 160, true, true, 1 },
    };
    features = torch::nn::Sequential ();
    features->push_back (conv_norm_act (3, 16, 3, 2, 1, true));
    for (const Row &r : rows)
      features->push_back (InvertedResidual (r.in, r.kernel, r.expanded, r.out, r.se, r.hs, r.stride));
    features->push_back (conv_norm_act (160, 960, 1, 1, 1, true));
    register_module ("features", features);
    channels[0] = 24;
    channels[1] = 40;
    channels[2] = 112;
    channels[3] = 960;
    /* torchvision's initialisation: He (fan-out) for convolutions, zero
     * biases. */
    for (auto &m : modules (false))
      if (auto *c = m->as<torch::nn::Conv2d> ())
        {
          torch::nn::init::kaiming_normal_ (c->weight, 0.0, torch::kFanOut);
          if (c->bias.defined ())
            torch::nn::init::zeros_ (c->bias);
        }
  }

  std::vector<at::Tensor>
  levels (const at::Tensor &x) override
  {
    /* The last module of each stride: features.3 (stride 4), .6 (8),
     * .12 (16) and .16 (32). */
    static const size_t ends[] = { 3, 6, 12, 16 };
    std::vector<at::Tensor> out;
    at::Tensor h = x;
    size_t index = 0;
    for (auto &module : *features)
      {
        h = module.forward (h);
        if (out.size () < 4 && index == ends[out.size ()])
          out.push_back (h);
        index++;
      }
    return out;
  }

  torch::nn::Sequential features{nullptr};
};

std::shared_ptr<BackboneImpl>
backbone_new (const ArchSpec &spec)
{
  switch (spec.family)
    {
    case BackboneFamily::Plain:
      return std::make_shared<PlainBackboneImpl> (spec);
    case BackboneFamily::ResNet:
      return std::make_shared<ResNetBackboneImpl> (spec);
    case BackboneFamily::MobileNetV3:
      return std::make_shared<MobileNetV3BackboneImpl> ();
    }
  throw std::invalid_argument ("unknown backbone family");
}

void
backbone_load_state_dict (BackboneImpl &backbone,
                          const std::vector<std::pair<std::string, at::Tensor>> &state,
                          int *n_loaded, int *n_ignored)
{
  std::map<std::string, at::Tensor> by_name (state.begin (), state.end ());
  std::vector<std::pair<at::Tensor, at::Tensor>> copies;
  auto collect = [&] (const std::string &name, const at::Tensor &target) {
    auto it = by_name.find (name);
    if (it == by_name.end ())
      {
        g_autofree char *why = state.empty ()
          ? g_strdup_printf (_("it has no tensor %s"), name.c_str ())
          : g_strdup_printf (_("it has no tensor %s (its first is %s)"), name.c_str (), state.front ().first.c_str ());
        throw std::runtime_error (why);
      }
    if (!it->second.sizes ().equals (target.sizes ()))
      {
        g_autofree char *why = g_strdup_printf (_("its tensor %s has another shape"), name.c_str ());
        throw std::runtime_error (why);
      }
    copies.emplace_back (target, it->second);
    by_name.erase (it);
  };
  for (const auto &p : backbone.named_parameters ())
    collect (p.key (), p.value ());
  for (const auto &b : backbone.named_buffers ())
    collect (b.key (), b.value ());

  /* Only now that every tensor is known to fit: a failure above leaves
   * the backbone as it was. */
  torch::NoGradGuard no_grad;
  for (auto &[target, source] : copies)
    target.copy_ (source.to (target.scalar_type ()));
  *n_loaded = (int) copies.size ();
  *n_ignored = (int) by_name.size ();
}

} /* namespace otter */
