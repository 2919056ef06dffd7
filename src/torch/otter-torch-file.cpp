/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-torch-file.cpp: self-describing model and checkpoint files
 *
 * Layout (all integers little endian):
 *   "OTTERMDL"           8 bytes magic
 *   u32 version          1
 *   u32 header_length
 *   header               JSON: architecture, classes, input size,
 *                        normalisation, tensor names/shapes/dtypes, metadata
 *   tensor data          each tensor's bytes in header order
 *   SHA-256              32 bytes over everything before it
 *
 * The digest makes a truncated or damaged file a clear error instead of a
 * model with garbage weights. Files are written to a temporary name and
 * renamed, so a crash or a full disk never replaces a good file.
 */

#include "config.h"

#include <json-glib/json-glib.h>

#include <cstring>

#include "otter-torch-private.hpp"
#include "otter-untrusted.h"
/* after libtorch's headers, which use _ as a name of their own */
#include <glib/gi18n-lib.h>

namespace otter {

static const char kMagic[8] = { 'O', 'T', 'T', 'E', 'R', 'M', 'D', 'L' };
static const guint32 kVersion = 1;
static const gsize kDigestLength = 32;

static void
put_u32 (std::string &out, guint32 v)
{
  guint32 le = GUINT32_TO_LE (v);
  out.append (reinterpret_cast<const char *> (&le), 4);
}

static guint32
get_u32 (const char *p)
{
  guint32 le;
  memcpy (&le, p, 4);
  return GUINT32_FROM_LE (le);
}

static const char *
dtype_name (const at::Tensor &t)
{
  return t.scalar_type () == at::kLong ? "i64" : "f32";
}

bool
container_write (const char *path, const std::string &header_json,
                 const TensorMap &tensors, GError **error)
{
  std::string out;
  out.append (kMagic, sizeof kMagic);
  put_u32 (out, kVersion);
  put_u32 (out, (guint32) header_json.size ());
  out.append (header_json);
  for (const auto &[name, tensor] : tensors)
    {
      at::Tensor host = tensor.detach ().to (at::kCPU).contiguous ();
      if (host.scalar_type () != at::kLong)
        host = host.to (at::kFloat);
      /* x86 and ARM Linux are little endian, the layout on disk. */
      out.append (static_cast<const char *> (host.data_ptr ()), host.numel () * host.element_size ());
    }
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, reinterpret_cast<const guchar *> (out.data ()), out.size ());
  guint8 digest[kDigestLength];
  gsize digest_len = sizeof digest;
  g_checksum_get_digest (sum, digest, &digest_len);
  g_checksum_free (sum);
  out.append (reinterpret_cast<const char *> (digest), digest_len);

  GError *local = nullptr;
  if (!g_file_set_contents_full (path, out.data (), out.size (),
                                 (GFileSetContentsFlags) (G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE),
                                 0644, &local))
    {
      g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_IO,
                   _("could not write %s: %s"), path, local->message);
      g_error_free (local);
      return false;
    }
  return true;
}

static bool
corrupt (GError **error, const char *path, const char *why)
{
  g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_CORRUPT,
               _("%s is a damaged Otter model: %s"), path, why);
  return false;
}

/* Model files are tens of megabytes; a checkpoint with its optimiser
 * state a few hundred. Anything past this is not one. */
static const gsize kMaxFileSize = (gsize) 4 << 30;
/* A tensor's dimensions, and the elements of any one tensor. */
static const int kMaxRank = 8;
static const int64_t kMaxElements = (int64_t) 1 << 32;

/* The tensor list's entry `i`: its name, shape and dtype, each of the
 * right JSON type and in range. */
static bool
read_tensor_entry (JsonArray *list, guint i, const char *path, std::string &name,
                   std::vector<int64_t> &shape, bool &is_long, int64_t &numel, GError **error)
{
  JsonNode *node = json_array_get_element (list, i);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return corrupt (error, path, _("a tensor entry is not an object"));
  JsonObject *t = json_node_get_object (node);
  JsonNode *name_node = json_object_get_member (t, "name");
  JsonArray *dims = otter_json_get_array (t, "shape");
  JsonNode *dtype_node = json_object_get_member (t, "dtype");
  if (name_node == nullptr || json_node_get_value_type (name_node) != G_TYPE_STRING || dims == nullptr)
    return corrupt (error, path, _("a tensor entry lacks its name or shape"));
  if (dtype_node != nullptr && json_node_get_value_type (dtype_node) != G_TYPE_STRING)
    return corrupt (error, path, _("a tensor's dtype is not a string"));
  const char *dtype = dtype_node != nullptr ? json_node_get_string (dtype_node) : "f32";
  if (!g_str_equal (dtype, "f32") && !g_str_equal (dtype, "i64"))
    return corrupt (error, path, _("a tensor has a dtype other than f32 and i64"));
  is_long = g_str_equal (dtype, "i64");
  name = json_node_get_string (name_node);

  guint rank = json_array_get_length (dims);
  if (rank > kMaxRank)
    return corrupt (error, path, _("a tensor has more dimensions than any model has"));
  shape.clear ();
  numel = 1;
  for (guint d = 0; d < rank; d++)
    {
      JsonNode *dim = json_array_get_element (dims, d);
      if (!JSON_NODE_HOLDS_VALUE (dim) || json_node_get_value_type (dim) != G_TYPE_INT64)
        return corrupt (error, path, _("a tensor's shape holds something other than whole numbers"));
      gint64 v = json_node_get_int (dim);
      /* checked before multiplying, so the product never overflows */
      if (v < 0 || (v > 0 && numel > kMaxElements / v))
        return corrupt (error, path, _("a tensor has an impossible shape"));
      shape.push_back (v);
      numel *= v;
    }
  return true;
}

/* Whether `member`, when present, holds a value of `type` (and for a
 * value, of `gtype`); readers below then take what they find on trust. */
static bool
member_is (JsonObject *object, const char *member, JsonNodeType type, GType gtype = G_TYPE_INVALID)
{
  JsonNode *node = json_object_get_member (object, member);
  if (node == nullptr || JSON_NODE_HOLDS_NULL (node))
    return true;
  if (JSON_NODE_TYPE (node) != type)
    return false;
  return gtype == G_TYPE_INVALID || json_node_get_value_type (node) == gtype;
}

/* The header's members that the readers use, each of the type they read:
 * a header written by hand or by a fuzzer gets one line naming the member,
 * never a GLib critical or a C++ library message. */
static bool
header_members_have_types (JsonObject *root, const char *path, GError **error)
{
  static const struct { const char *name; JsonNodeType type; GType gtype; const char *what; } members[] = {
    { "arch", JSON_NODE_VALUE, G_TYPE_STRING, N_("a string") },
    { "input_size", JSON_NODE_VALUE, G_TYPE_INT64, N_("a whole number") },
    { "class_names", JSON_NODE_ARRAY, G_TYPE_INVALID, N_("a list") },
    { "architecture", JSON_NODE_OBJECT, G_TYPE_INVALID, N_("an object") },
    { "checkpoint", JSON_NODE_OBJECT, G_TYPE_INVALID, N_("an object") },
  };
  for (const auto &m : members)
    if (!member_is (root, m.name, m.type, m.gtype))
      {
        g_autofree char *why = g_strdup_printf (_("its header's “%s” is not %s"), m.name, _(m.what));
        return corrupt (error, path, why);
      }
  if (json_object_has_member (root, "input_size") && !JSON_NODE_HOLDS_NULL (json_object_get_member (root, "input_size")))
    {
      gint64 size = json_object_get_int_member (root, "input_size");
      if (size < 0 || size > 4096)
        return corrupt (error, path, _("its header's input size is not between 0 and 4096"));
    }
  JsonNode *names = json_object_get_member (root, "class_names");
  if (names != nullptr && JSON_NODE_HOLDS_ARRAY (names))
    {
      JsonArray *list = json_node_get_array (names);
      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          JsonNode *name = json_array_get_element (list, i);
          if (!JSON_NODE_HOLDS_VALUE (name) || json_node_get_value_type (name) != G_TYPE_STRING)
            return corrupt (error, path, _("its header's class names are not all strings"));
        }
    }
  JsonNode *architecture = json_object_get_member (root, "architecture");
  if (architecture != nullptr && JSON_NODE_HOLDS_OBJECT (architecture))
    {
      JsonObject *arch = json_node_get_object (architecture);
      if (!member_is (arch, "backbone", JSON_NODE_OBJECT))
        return corrupt (error, path, _("its header's backbone is not an object"));
      JsonNode *backbone = json_object_get_member (arch, "backbone");
      JsonNode *init = backbone && JSON_NODE_HOLDS_OBJECT (backbone)
        ? json_object_get_member (json_node_get_object (backbone), "init") : nullptr;
      if (init != nullptr && JSON_NODE_HOLDS_OBJECT (init) &&
          (!member_is (json_node_get_object (init), "file", JSON_NODE_VALUE, G_TYPE_STRING) ||
           !member_is (json_node_get_object (init), "sha256", JSON_NODE_VALUE, G_TYPE_STRING)))
        return corrupt (error, path, _("its header's backbone weights are not named by strings"));
    }
  JsonNode *checkpoint = json_object_get_member (root, "checkpoint");
  if (checkpoint != nullptr && JSON_NODE_HOLDS_OBJECT (checkpoint) &&
      (!member_is (json_node_get_object (checkpoint), "optimizer", JSON_NODE_VALUE, G_TYPE_STRING) ||
       !member_is (json_node_get_object (checkpoint), "step", JSON_NODE_VALUE, G_TYPE_INT64)))
    return corrupt (error, path, _("its header's checkpoint state has the wrong types"));
  return true;
}

bool
container_read (const char *path, std::string &header_json,
                std::map<std::string, at::Tensor> &tensors, GError **error)
{
  char *raw = nullptr;
  gsize len = 0;
  GError *local = nullptr;
  if (!otter_read_untrusted_file (path, kMaxFileSize, &raw, &len, &local))
    {
      g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_IO, "%s: %s", path, local->message);
      g_error_free (local);
      return false;
    }
  std::unique_ptr<char, decltype (&g_free)> guard (raw, g_free);

  if (len < sizeof kMagic || memcmp (raw, kMagic, sizeof kMagic) != 0)
    {
      if (len >= 4 && memcmp (raw, "PK\x03\x04", 4) == 0)
        g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_NOT_A_MODEL,
                     _("%s is not an Otter model file (it looks like a PyTorch/TorchScript archive; "
                       "Otter models come from “otter-cli train” or the app)"), path);
      else
        g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_NOT_A_MODEL,
                     _("%s is not an Otter model file"), path);
      return false;
    }
  if (len < sizeof kMagic + 8 + kDigestLength)
    return corrupt (error, path, _("the file is truncated"));
  guint32 version = get_u32 (raw + 8);
  if (version != kVersion)
    {
      g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_NOT_A_MODEL,
                   _("%s is an Otter model of format version %u, this Otter reads version %u"),
                   path, version, kVersion);
      return false;
    }
  guint32 header_len = get_u32 (raw + 12);
  gsize data_start = 16 + (gsize) header_len;
  if (data_start + kDigestLength > len)
    return corrupt (error, path, _("the file is truncated"));

  /* The digest first: nothing of a damaged or altered file is parsed. */
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, reinterpret_cast<const guchar *> (raw), len - kDigestLength);
  guint8 digest[kDigestLength];
  gsize digest_len = sizeof digest;
  g_checksum_get_digest (sum, digest, &digest_len);
  g_checksum_free (sum);
  if (memcmp (digest, raw + len - kDigestLength, kDigestLength) != 0)
    return corrupt (error, path, _("its checksum does not match (the file is truncated, altered or damaged)"));

  header_json.assign (raw + 16, header_len);
  if (!otter_json_check_depth (header_json.data (), (gssize) header_json.size (), OTTER_JSON_MAX_DEPTH, nullptr))
    return corrupt (error, path, _("its header nests too deeply to be a model's"));
  JsonParser *parser = json_parser_new ();
  std::unique_ptr<JsonParser, decltype (&g_object_unref)> parser_guard (parser, g_object_unref);
  /* an empty header parses, to no root at all */
  if (!json_parser_load_from_data (parser, header_json.data (), header_json.size (), nullptr) ||
      json_parser_get_root (parser) == nullptr || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return corrupt (error, path, _("its header is not valid JSON"));

  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  if (!header_members_have_types (root, path, error))
    return false;
  JsonArray *list = otter_json_get_array (root, "tensors");
  if (list == nullptr)
    return corrupt (error, path, _("its header lists no tensors"));
  gsize offset = data_start;
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      std::string name;
      std::vector<int64_t> shape;
      bool is_long = false;
      int64_t numel = 0;
      if (!read_tensor_entry (list, i, path, name, shape, is_long, numel, error))
        return false;
      gsize bytes = (gsize) numel * (is_long ? 8 : 4);
      if (bytes > len - kDigestLength - offset)
        return corrupt (error, path, _("its tensors do not fit in the file"));
      at::Tensor tensor = at::empty (shape, is_long ? at::kLong : at::kFloat);
      if (bytes > 0)
        memcpy (tensor.data_ptr (), raw + offset, bytes);
      offset += bytes;
      tensors[name] = tensor;
    }
  if (offset != len - kDigestLength)
    return corrupt (error, path, _("the file has trailing data"));
  return true;
}

TensorMap
model_tensors (OtterTorchModel *model)
{
  TensorMap out;
  for (const auto &p : model->detector->named_parameters ())
    out.emplace_back ("model." + p.key (), p.value ());
  for (const auto &b : model->detector->named_buffers ())
    out.emplace_back ("model." + b.key (), b.value ());
  return out;
}

std::string
model_header_json (OtterTorchModel *model, const TensorMap &tensors,
                   const char *metadata_json, const char *extra_json)
{
  const ArchSpec &s = model->detector->spec;
  JsonBuilder *b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, "otter-model");
  json_builder_set_member_name (b, "otter_version");
  json_builder_add_string_value (b, PACKAGE_VERSION);
  json_builder_set_member_name (b, "arch");
  json_builder_add_string_value (b, s.name.c_str ());
  json_builder_set_member_name (b, "architecture");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "family");
  json_builder_add_string_value (b, "centernet");
  json_builder_set_member_name (b, "stem");
  json_builder_add_int_value (b, s.stem);
  json_builder_set_member_name (b, "stem_kernel");
  json_builder_add_int_value (b, s.stem_kernel);
  json_builder_set_member_name (b, "widths");
  json_builder_begin_array (b);
  for (int w : s.widths)
    json_builder_add_int_value (b, w);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "depth");
  json_builder_add_int_value (b, s.depth);
  json_builder_set_member_name (b, "neck");
  json_builder_add_int_value (b, s.neck);
  json_builder_set_member_name (b, "head");
  json_builder_add_int_value (b, s.head);
  json_builder_set_member_name (b, "stride");
  json_builder_add_int_value (b, kStride);
  json_builder_set_member_name (b, "backbone");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "family");
  json_builder_add_string_value (b, backbone_family_name (s.family));
  json_builder_set_member_name (b, "layout");
  json_builder_add_string_value (b, s.torchvision_name.empty () ? "otter" : "torchvision");
  json_builder_set_member_name (b, "init");
  if (model->backbone_init_file.empty ())
    json_builder_add_string_value (b, "random");
  else
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, model->backbone_init_file.c_str ());
      json_builder_set_member_name (b, "sha256");
      json_builder_add_string_value (b, model->backbone_init_sha256.c_str ());
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "normalisation");
  json_builder_begin_object (b);
  for (const char *member : { "mean", "std" })
    {
      at::Tensor values = (g_str_equal (member, "mean") ? model->detector->mean : model->detector->std)
        .to (at::kCPU).flatten ().contiguous ();
      json_builder_set_member_name (b, member);
      json_builder_begin_array (b);
      for (int64_t i = 0; i < values.numel (); i++)
        json_builder_add_double_value (b, values.data_ptr<float> ()[i]);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "input_size");
  json_builder_add_int_value (b, model->input_size);
  json_builder_set_member_name (b, "input");
  json_builder_add_string_value (b, "RGB float in [0, 1], letterboxed on grey 0.5; the model normalises with the mean/std buffers");
  json_builder_set_member_name (b, "class_names");
  json_builder_begin_array (b);
  for (const std::string &n : model->class_names)
    json_builder_add_string_value (b, n.c_str ());
  json_builder_end_array (b);
  json_builder_set_member_name (b, "tensors");
  json_builder_begin_array (b);
  for (const auto &[name, tensor] : tensors)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, name.c_str ());
      json_builder_set_member_name (b, "dtype");
      json_builder_add_string_value (b, dtype_name (tensor));
      json_builder_set_member_name (b, "shape");
      json_builder_begin_array (b);
      for (int64_t d : tensor.sizes ())
        json_builder_add_int_value (b, d);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  auto add_raw = [&] (const char *member, const char *json) {
    json_builder_set_member_name (b, member);
    JsonNode *node = json != nullptr ? json_from_string (json, nullptr) : nullptr;
    if (node != nullptr)
      json_builder_add_value (b, node);
    else
      json_builder_add_null_value (b);
  };
  add_raw ("metadata", metadata_json);
  if (extra_json != nullptr)
    add_raw ("checkpoint", extra_json);
  json_builder_end_object (b);

  JsonNode *root = json_builder_get_root (b);
  char *text = json_to_string (root, FALSE);
  std::string result (text);
  g_free (text);
  json_node_unref (root);
  g_object_unref (b);
  return result;
}

const char *
backbone_family_name (BackboneFamily family)
{
  switch (family)
    {
    case BackboneFamily::Plain:
      return "plain";
    case BackboneFamily::ResNet:
      return "resnet";
    case BackboneFamily::MobileNetV3:
      return "mobilenet_v3";
    }
  return "unknown";
}

void
model_read_backbone_init (OtterTorchModel *model, JsonObject *header)
{
  JsonObject *arch = otter_json_get_object (header, "architecture");
  JsonObject *backbone = arch != nullptr ? otter_json_get_object (arch, "backbone") : nullptr;
  JsonObject *o = backbone != nullptr ? otter_json_get_object (backbone, "init") : nullptr;
  if (o == nullptr)
    return;
  model->backbone_init_file = otter_json_get_string (o, "file", "");
  model->backbone_init_sha256 = otter_json_get_string (o, "sha256", "");
}

bool
model_assign_tensors (OtterTorchModel *model, const char *path,
                      std::map<std::string, at::Tensor> &tensors, GError **error)
{
  torch::NoGradGuard no_grad;
  for (auto &[name, target] : model_tensors (model))
    {
      auto it = tensors.find (name);
      /* tiny files written before the backbone was a module of its own
       * name its tensors model.stem.…, model.stage1.… */
      static const std::string backbone_prefix = "model.backbone.";
      if (it == tensors.end () && model->detector->spec.family == BackboneFamily::Plain &&
          name.compare (0, backbone_prefix.size (), backbone_prefix) == 0)
        it = tensors.find ("model." + name.substr (backbone_prefix.size ()));
      if (it == tensors.end () || !it->second.sizes ().equals (target.sizes ()))
        {
          g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_ARCHITECTURE,
                       it == tensors.end ()
                       ? _("%s does not fit the “%s” architecture it declares (tensor %s is missing)")
                       : _("%s does not fit the “%s” architecture it declares (tensor %s is of another shape)"),
                       path, model->detector->spec.name.c_str (), name.c_str ());
          return false;
        }
      target.copy_ (it->second.to (target.scalar_type ()));
    }
  return true;
}

} /* namespace otter */

using namespace otter;

char *
otter_torch_model_dup_description_json (OtterTorchModel *model)
{
  g_return_val_if_fail (model != nullptr, nullptr);
  try
    {
      std::string header = model_header_json (model, TensorMap (), nullptr, nullptr);
      g_autoptr (JsonNode) root = json_from_string (header.c_str (), nullptr);
      JsonObject *obj = json_node_get_object (root);
      json_object_remove_member (obj, "tensors");
      json_object_remove_member (obj, "metadata");
      json_object_remove_member (obj, "format");
      return json_to_string (root, TRUE);
    }
  catch (const std::exception &e)
    {
      g_warning ("%s", e.what ());
      return nullptr;
    }
}

gboolean
otter_torch_model_save (OtterTorchModel *model,
                        const char      *path,
                        const char      *metadata_json,
                        GError         **error)
{
  g_return_val_if_fail (model != nullptr, FALSE);
  g_return_val_if_fail (path != nullptr, FALSE);
  try
    {
      TensorMap tensors = model_tensors (model);
      if (metadata_json == nullptr && !model->metadata.empty ())
        metadata_json = model->metadata.c_str ();
      return container_write (path, model_header_json (model, tensors, metadata_json, nullptr), tensors, error);
    }
  catch (const std::exception &e)
    {
      set_error (error, e);
      return FALSE;
    }
}

OtterTorchModel *
otter_torch_model_load (const char *path,
                        GError    **error)
{
  g_return_val_if_fail (path != nullptr, nullptr);
  try
    {
      std::string header;
      std::map<std::string, at::Tensor> tensors;
      if (!container_read (path, header, tensors, error))
        return nullptr;

      g_autoptr (JsonNode) root = json_from_string (header.c_str (), nullptr);
      JsonObject *obj = json_node_get_object (root);
      const char *arch = otter_json_get_string (obj, "arch", "");
      if (arch_lookup (arch) == nullptr)
        {
          g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_ARCHITECTURE,
                       _("%s is a model of architecture “%s”, which this Otter does not know"), path, arch);
          return nullptr;
        }
      JsonArray *names = otter_json_get_array (obj, "class_names");
      std::vector<std::string> class_names;
      for (guint i = 0; names != nullptr && i < json_array_get_length (names); i++)
        {
          const char *name = otter_json_array_get_string (names, i);
          if (name == nullptr)
            {
              g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_CORRUPT,
                           _("%s has an unusable header: class name %u is not a string"), path, i);
              return nullptr;
            }
          class_names.emplace_back (name);
        }
      std::vector<const char *> ptrs;
      for (const std::string &n : class_names)
        ptrs.push_back (n.c_str ());
      ptrs.push_back (nullptr);
      int input_size = (int) otter_json_get_int (obj, "input_size", 0);

      GError *local = nullptr;
      OtterTorchModel *model = otter_torch_model_new (arch, ptrs.data (), input_size, 0, &local);
      if (model == nullptr)
        {
          g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_CORRUPT,
                       _("%s has an unusable header: %s"), path, local->message);
          g_error_free (local);
          return nullptr;
        }
      if (!model_assign_tensors (model, path, tensors, error))
        {
          otter_torch_model_free (model);
          return nullptr;
        }
      model_read_backbone_init (model, obj);
      JsonNode *meta = json_object_get_member (obj, "metadata");
      if (meta != nullptr && !JSON_NODE_HOLDS_NULL (meta))
        {
          char *text = json_to_string (meta, FALSE);
          model->metadata = text;
          g_free (text);
        }
      return model;
    }
  catch (const std::exception &e)
    {
      set_error (error, e);
      return nullptr;
    }
}
