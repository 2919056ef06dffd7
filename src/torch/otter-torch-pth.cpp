/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-torch-pth.cpp: PyTorch's own files, read and written by libtorch
 *
 * torch.save writes a zip archive holding a pickle and the tensors'
 * storages; libtorch's pickle_load and pickle_save read and write the same
 * format, so torchvision's ImageNet weights come in and trained detectors
 * go out without Python. This is the only translation unit that includes
 * libtorch's serialisation headers.
 */

#include "config.h"

#include <sys/types.h>

#include <caffe2/serialize/in_memory_adapter.h>
#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/pickle.h>
#include <torch/csrc/jit/serialization/pickler.h>

#include <cstring>
#include <regex>

#include "otter-torch-private.hpp"
#include "otter-untrusted.h"
/* after libtorch's headers, which use _ as a name of their own */
#include <glib/gi18n-lib.h>

namespace otter {

/* ---- reading: a pickle interpreter for state_dicts ----------------------
 *
 * libtorch 1.13's unpickler turns collections.OrderedDict (the type of
 * every state_dict) into None, so the pickle inside the zip is read here.
 * Only what torch.save writes for a dictionary of tensors is understood:
 * containers, strings, numbers, the tensor-rebuilding functions and
 * storages. Any other Python object is refused, so a weights file can
 * never run code. The storages come from libtorch's zip reader.
 */

struct UnpickleError : std::runtime_error
{
  using std::runtime_error::runtime_error;
};

/* A translated reason with names in it: the whole sentence is one message,
 * so a translation can put the name where its language wants it. */
static std::string G_GNUC_PRINTF (1, 2)
reason (const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *text = g_strdup_vprintf (format, args);
  va_end (args);
  return text;
}

struct PyValue;
using PyRef = std::shared_ptr<PyValue>;

struct PyValue
{
  enum Kind { None, Bool, Int, Float, Str, Tuple, List, Dict, Global, Storage, Tensor, Mark } kind = None;
  int64_t i = 0;
  double f = 0;
  std::string s;                           /* Str; Global: "module.name" */
  std::vector<PyRef> items;                /* Tuple, List; Dict: key, value, key, value… */
  at::Tensor tensor;                       /* Storage (1-D), Tensor */
};

static PyRef
py (PyValue::Kind kind)
{
  auto v = std::make_shared<PyValue> ();
  v->kind = kind;
  return v;
}

static at::ScalarType
storage_dtype (const std::string &global)
{
  static const std::pair<const char *, at::ScalarType> types[] = {
    { "torch.FloatStorage", at::kFloat }, { "torch.DoubleStorage", at::kDouble },
    { "torch.HalfStorage", at::kHalf }, { "torch.BFloat16Storage", at::kBFloat16 },
    { "torch.LongStorage", at::kLong }, { "torch.IntStorage", at::kInt },
    { "torch.ShortStorage", at::kShort }, { "torch.CharStorage", at::kChar },
    { "torch.ByteStorage", at::kByte }, { "torch.BoolStorage", at::kBool },
  };
  for (const auto &[name, type] : types)
    if (global == name)
      return type;
  throw UnpickleError (reason (_("it holds a storage of type %s, which Otter does not read"), global.c_str ()));
}

class StateDictUnpickler
{
public:
  explicit StateDictUnpickler (caffe2::serialize::PyTorchStreamReader &reader) : reader_ (reader) {}

  void
  run (const char *data, size_t len, TensorMap &state)
  {
    p_ = data;
    end_ = data + len;
    PyRef root = interpret ();
    /* A bare state_dict, or a training checkpoint that wraps one. */
    for (int depth = 0; depth < 2 && root->kind == PyValue::Dict; depth++)
      {
        PyRef inner;
        for (size_t k = 0; k + 1 < root->items.size (); k += 2)
          if (root->items[k]->kind == PyValue::Str && root->items[k + 1]->kind == PyValue::Dict &&
              (root->items[k]->s == "state_dict" || root->items[k]->s == "model"))
            inner = root->items[k + 1];
        if (inner == nullptr)
          break;
        root = inner;
      }
    if (root->kind != PyValue::Dict)
      throw UnpickleError (_("it does not hold a state_dict (a dictionary of tensors)"));
    for (size_t k = 0; k + 1 < root->items.size (); k += 2)
      {
        if (root->items[k]->kind != PyValue::Str || root->items[k + 1]->kind != PyValue::Tensor)
          continue;
        std::string name = root->items[k]->s;
        /* nn.DataParallel saves its module's keys behind "module." */
        if (name.compare (0, 7, "module.") == 0)
          name.erase (0, 7);
        state.emplace_back (name, root->items[k + 1]->tensor);
      }
  }

private:
  caffe2::serialize::PyTorchStreamReader &reader_;
  const char *p_ = nullptr, *end_ = nullptr;
  std::vector<PyRef> stack_;
  std::vector<size_t> marks_;
  std::map<int64_t, PyRef> memo_;
  std::map<std::string, at::Tensor> storages_;

  const char *
  take (size_t n)
  {
    if ((size_t) (end_ - p_) < n)
      throw UnpickleError (_("its pickle ends in the middle of an instruction"));
    const char *at = p_;
    p_ += n;
    return at;
  }

  uint64_t
  le (size_t n)
  {
    const unsigned char *b = reinterpret_cast<const unsigned char *> (take (n));
    uint64_t v = 0;
    for (size_t k = 0; k < n; k++)
      v |= (uint64_t) b[k] << (8 * k);
    return v;
  }

  std::string
  line ()
  {
    const char *nl = static_cast<const char *> (memchr (p_, '\n', end_ - p_));
    if (nl == nullptr)
      throw UnpickleError (_("its pickle ends in the middle of a name"));
    std::string text (p_, nl);
    p_ = nl + 1;
    return text;
  }

  PyRef
  pop ()
  {
    if (stack_.empty () || (!marks_.empty () && stack_.size () <= marks_.back ()))
      throw UnpickleError (_("its pickle is malformed (stack underflow)"));
    PyRef v = stack_.back ();
    stack_.pop_back ();
    return v;
  }

  std::vector<PyRef>
  pop_to_mark ()
  {
    if (marks_.empty ())
      throw UnpickleError (_("its pickle is malformed (no mark)"));
    size_t mark = marks_.back ();
    marks_.pop_back ();
    std::vector<PyRef> items (stack_.begin () + mark, stack_.end ());
    stack_.resize (mark);
    return items;
  }

  PyRef
  tuple (std::vector<PyRef> items)
  {
    PyRef t = py (PyValue::Tuple);
    t->items = std::move (items);
    return t;
  }

  void
  set_items (PyRef dict, std::vector<PyRef> items)
  {
    if (dict->kind != PyValue::Dict || items.size () % 2 != 0)
      throw UnpickleError (_("its pickle is malformed (items set on a non-dictionary)"));
    for (PyRef &item : items)
      dict->items.push_back (std::move (item));
  }

  PyRef
  global (const std::string &module, const std::string &name)
  {
    PyRef g = py (PyValue::Global);
    g->s = module + "." + name;
    static const char *const allowed[] = {
      "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
    };
    for (const char *a : allowed)
      if (g->s == a)
        return g;
    if (module == "torch" && g_str_has_suffix (name.c_str (), "Storage"))
      return g;
    throw UnpickleError (reason (_("it contains the Python object %s, which a weights file does not need "
                                   "(Otter reads state_dicts only)"), g->s.c_str ()));
  }

  static int64_t
  as_int (const PyRef &v)
  {
    if (v->kind != PyValue::Int && v->kind != PyValue::Bool)
      throw UnpickleError (_("its pickle is malformed (a number was expected)"));
    return v->i;
  }

  static std::vector<int64_t>
  as_ints (const PyRef &v)
  {
    if (v->kind != PyValue::Tuple && v->kind != PyValue::List)
      throw UnpickleError (_("its pickle is malformed (a tuple was expected)"));
    std::vector<int64_t> out;
    for (const PyRef &x : v->items)
      out.push_back (as_int (x));
    return out;
  }

  PyRef
  call (const PyRef &fn, const PyRef &args)
  {
    if (fn->kind != PyValue::Global || args->kind != PyValue::Tuple)
      throw UnpickleError (_("its pickle calls something that is not a known function"));
    const std::vector<PyRef> &a = args->items;
    if (fn->s == "collections.OrderedDict")
      return py (PyValue::Dict);
    if (fn->s == "torch._utils._rebuild_tensor_v2")
      {
        if (a.size () < 4 || a[0]->kind != PyValue::Storage)
          throw UnpickleError (_("its pickle rebuilds a tensor without a storage"));
        std::vector<int64_t> size = as_ints (a[2]), stride = as_ints (a[3]);
        int64_t offset = as_int (a[1]);
        int64_t needed = offset + 1;
        for (size_t d = 0; d < size.size () && d < stride.size (); d++)
          needed += (size[d] - 1) * stride[d];
        for (int64_t d : size)
          if (d == 0)
            needed = 0;
        if (size.size () != stride.size () || needed > a[0]->tensor.numel ())
          throw UnpickleError (_("a tensor reaches beyond its storage"));
        PyRef t = py (PyValue::Tensor);
        t->tensor = a[0]->tensor.as_strided (size, stride, offset).clone ();
        return t;
      }
    if (fn->s == "torch._utils._rebuild_parameter")
      {
        if (a.empty () || a[0]->kind != PyValue::Tensor)
          throw UnpickleError (_("its pickle rebuilds a parameter without a tensor"));
        return a[0];
      }
    throw UnpickleError (reason (_("its pickle calls %s, which a weights file does not need"), fn->s.c_str ()));
  }

  PyRef
  persistent_load (const PyRef &pid)
  {
    /* ('storage', torch.FloatStorage, key, location, numel) */
    if (pid->kind != PyValue::Tuple || pid->items.size () < 5 || pid->items[0]->s != "storage" ||
        pid->items[1]->kind != PyValue::Global || pid->items[2]->kind != PyValue::Str)
      throw UnpickleError (_("its pickle refers to something other than a tensor storage"));
    at::ScalarType dtype = storage_dtype (pid->items[1]->s);
    const std::string &key = pid->items[2]->s;
    int64_t numel = as_int (pid->items[4]);
    PyRef v = py (PyValue::Storage);
    auto it = storages_.find (key);
    if (it == storages_.end ())
      {
        std::string record = "data/" + key;
        if (!reader_.hasRecord (record))
          throw UnpickleError (reason (_("its storage %s is missing from the archive"), key.c_str ()));
        auto [data, bytes] = reader_.getRecord (record);
        size_t element = c10::elementSize (dtype);
        if (numel < 0 || bytes < (size_t) numel * element)
          throw UnpickleError (reason (_("its storage %s is shorter than its tensors say"), key.c_str ()));
        at::Tensor storage = at::empty ({ numel }, at::TensorOptions ().dtype (dtype));
        memcpy (storage.data_ptr (), data.get (), (size_t) numel * element);
        it = storages_.emplace (key, storage).first;
      }
    v->tensor = it->second;
    return v;
  }

  PyRef
  interpret ()
  {
    for (;;)
      {
        unsigned char op = (unsigned char) *take (1);
        switch (op)
          {
          case 0x80: take (1); break;                         /* PROTO */
          case 0x95: take (8); break;                         /* FRAME */
          case '.':                                           /* STOP */
            return pop ();
          case '(': marks_.push_back (stack_.size ()); break; /* MARK */
          case '}': stack_.push_back (py (PyValue::Dict)); break;
          case ']': stack_.push_back (py (PyValue::List)); break;
          case ')': stack_.push_back (py (PyValue::Tuple)); break;
          case 'N': stack_.push_back (py (PyValue::None)); break;
          case 0x88: case 0x89:                               /* NEWTRUE, NEWFALSE */
            {
              PyRef b = py (PyValue::Bool);
              b->i = op == 0x88;
              stack_.push_back (b);
              break;
            }
          case 't': stack_.push_back (tuple (pop_to_mark ())); break;
          case 0x85: case 0x86: case 0x87:                    /* TUPLE1..3 */
            {
              std::vector<PyRef> items (op - 0x84);
              for (size_t k = items.size (); k-- > 0;)
                items[k] = pop ();
              stack_.push_back (tuple (std::move (items)));
              break;
            }
          case 'q': memo_[(int64_t) le (1)] = stack_.empty () ? nullptr : stack_.back (); break;
          case 'r': memo_[(int64_t) le (4)] = stack_.empty () ? nullptr : stack_.back (); break;
          case 0x94: memo_[(int64_t) memo_.size ()] = stack_.empty () ? nullptr : stack_.back (); break;
          case 'h': case 'j':                                 /* BINGET, LONG_BINGET */
            {
              auto it = memo_.find ((int64_t) le (op == 'h' ? 1 : 4));
              if (it == memo_.end () || it->second == nullptr)
                throw UnpickleError (_("its pickle is malformed (unknown memo entry)"));
              stack_.push_back (it->second);
              break;
            }
          case 'J': case 'K': case 'M':                       /* BININT, BININT1, BININT2 */
            {
              PyRef v = py (PyValue::Int);
              v->i = op == 'J' ? (int64_t) (int32_t) le (4) : (int64_t) le (op == 'K' ? 1 : 2);
              stack_.push_back (v);
              break;
            }
          case 0x8a:                                          /* LONG1 */
            {
              size_t n = (size_t) le (1);
              if (n > 8)
                throw UnpickleError (_("its pickle holds an integer too large for a tensor's shape"));
              uint64_t raw = n > 0 ? le (n) : 0;
              if (n > 0 && n < 8 && (raw >> (8 * n - 1)) & 1)
                raw |= ~(uint64_t) 0 << (8 * n);              /* sign-extend */
              PyRef v = py (PyValue::Int);
              v->i = (int64_t) raw;
              stack_.push_back (v);
              break;
            }
          case 'G':                                           /* BINFLOAT, big endian */
            {
              const unsigned char *b = reinterpret_cast<const unsigned char *> (take (8));
              uint64_t bits = 0;
              for (int k = 0; k < 8; k++)
                bits = bits << 8 | b[k];
              PyRef v = py (PyValue::Float);
              memcpy (&v->f, &bits, 8);
              stack_.push_back (v);
              break;
            }
          case 'X': case 0x8c: case 0x8d:                     /* BINUNICODE, SHORT_, 8 */
            {
              size_t n = (size_t) le (op == 'X' ? 4 : op == 0x8c ? 1 : 8);
              PyRef v = py (PyValue::Str);
              v->s.assign (take (n), n);
              stack_.push_back (v);
              break;
            }
          case 'c':                                           /* GLOBAL */
            {
              std::string module = line ();
              std::string name = line ();
              stack_.push_back (global (module, name));
              break;
            }
          case 0x93:                                          /* STACK_GLOBAL */
            {
              PyRef name = pop (), module = pop ();
              stack_.push_back (global (module->s, name->s));
              break;
            }
          case 'R':                                           /* REDUCE */
            {
              PyRef args = pop (), fn = pop ();
              stack_.push_back (call (fn, args));
              break;
            }
          case 'b':                                           /* BUILD */
            {
              /* An OrderedDict's state is its _metadata (versions of
               * the modules), which loading by name does not need. */
              pop ();
              if (stack_.empty () || stack_.back ()->kind != PyValue::Dict)
                throw UnpickleError (_("its pickle sets the state of an object Otter does not read"));
              break;
            }
          case 's':                                           /* SETITEM */
            {
              PyRef value = pop (), key = pop ();
              if (stack_.empty ())
                throw UnpickleError (_("its pickle is malformed (stack underflow)"));
              set_items (stack_.back (), { key, value });
              break;
            }
          case 'u':                                           /* SETITEMS */
            {
              std::vector<PyRef> items = pop_to_mark ();
              if (stack_.empty ())
                throw UnpickleError (_("its pickle is malformed (stack underflow)"));
              set_items (stack_.back (), std::move (items));
              break;
            }
          case 'a': case 'e':                                 /* APPEND, APPENDS */
            {
              std::vector<PyRef> items;
              if (op == 'a')
                items.push_back (pop ());
              else
                items = pop_to_mark ();
              if (stack_.empty () || stack_.back ()->kind != PyValue::List)
                throw UnpickleError (_("its pickle appends to a non-list"));
              for (PyRef &item : items)
                stack_.back ()->items.push_back (std::move (item));
              break;
            }
          case 'Q':                                           /* BINPERSID */
            stack_.push_back (persistent_load (pop ()));
            break;
          default:
            {
              char hex[8];
              g_snprintf (hex, sizeof hex, "0x%02x", op);
              throw UnpickleError (reason (_("its pickle uses an instruction (%s) that a state_dict does not need"),
                                           hex));
            }
          }
      }
  }
};

/* ---- errors and names --------------------------------------------------- */

static bool
pth_error (GError **error, OtterTorchError code, const char *path, const std::string &why)
{
  g_set_error (error, OTTER_TORCH_ERROR, code, "%s: %s", path, why.c_str ());
  return false;
}

static std::string
sha256_hex (const char *data, gsize len)
{
  g_autofree char *hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                      reinterpret_cast<const guchar *> (data), len);
  return hex;
}

/* torchvision names its weight files NAME-HASH.pth, HASH being the first
 * hex digits of the file's SHA-256 (torch.hub checks it the same way). */
static std::string
hash_prefix_in_name (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  static const std::regex pattern ("^.+-([0-9a-f]{8,64})\\.pth?$");
  std::cmatch m;
  if (std::regex_match (base, m, pattern))
    return m[1].str ();
  return "";
}

bool
pth_read_state_dict (const char *path, TensorMap &state, std::string &sha256, GError **error)
{
  char *raw = nullptr;
  gsize len = 0;
  GError *local = nullptr;
  /* torchvision's largest weights are half a gigabyte */
  if (!otter_read_untrusted_file (path, (gsize) 4 << 30, &raw, &len, &local))
    {
      g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_IO, "%s: %s", path, local->message);
      g_error_free (local);
      return false;
    }
  std::unique_ptr<char, decltype (&g_free)> guard (raw, g_free);

  sha256 = sha256_hex (raw, len);
  std::string expected = hash_prefix_in_name (path);
  if (!expected.empty () && sha256.compare (0, expected.size (), expected) != 0)
    return pth_error (error, OTTER_TORCH_ERROR_CORRUPT, path,
                      "its SHA-256 begins " + sha256.substr (0, expected.size ()) + ", not " + expected +
                      " as its name says (the file is damaged or incomplete)");
  if (len < 4 || memcmp (raw, "PK\x03\x04", 4) != 0)
    {
      if (len >= 8 && memcmp (raw, "OTTERMDL", 8) == 0)
        return pth_error (error, OTTER_TORCH_ERROR_NOT_A_MODEL, path,
                          "this is an Otter model, not a PyTorch weights file (open it as a model instead)");
      return pth_error (error, OTTER_TORCH_ERROR_NOT_A_MODEL, path,
                        "not a PyTorch weights file in torch.save's zip format (files saved before "
                        "PyTorch 1.6 must be saved again with torch.save)");
    }

  try
    {
      caffe2::serialize::PyTorchStreamReader reader (
        std::make_shared<caffe2::serialize::MemoryReadAdapter> (raw, len));
      if (!reader.hasRecord ("data.pkl"))
        return pth_error (error, OTTER_TORCH_ERROR_NOT_A_MODEL, path,
                          "a zip archive without data.pkl, not a file written by torch.save");
      StateDictUnpickler unpickler (reader);
      auto [pickle, pickle_len] = reader.getRecord ("data.pkl");
      unpickler.run (static_cast<const char *> (pickle.get ()), pickle_len, state);
    }
  catch (const UnpickleError &e)
    {
      return pth_error (error, OTTER_TORCH_ERROR_NOT_A_MODEL, path, e.what ());
    }
  catch (const std::exception &e)
    {
      std::string msg = e.what ();
      size_t nl = msg.find ('\n');
      if (nl != std::string::npos)
        msg.resize (nl);
      return pth_error (error, OTTER_TORCH_ERROR_CORRUPT, path,
                        "PyTorch's reader cannot read it (" + msg + "); the file is truncated or damaged");
    }
  if (state.empty ())
    return pth_error (error, OTTER_TORCH_ERROR_NOT_A_MODEL, path, "it holds no tensors");
  return true;
}

bool
pth_write_state_dict (const char *path, const TensorMap &state, GError **error)
{
  c10::impl::GenericDict dict (c10::StringType::get (), c10::TensorType::get ());
  for (const auto &[name, tensor] : state)
    dict.insert (name, tensor.detach ().to (at::kCPU).contiguous ());

  /* What pickle_save() writes, but without the type tags it adds to every
   * dictionary: they call torch.jit._pickle.restore_type_tag, which
   * torch.load refuses by default since PyTorch 2.6 (weights_only). The
   * untagged pickle holds nothing but a dict, strings and
   * torch._utils._rebuild_tensor_v2, all of which it allows. */
  std::vector<char> pickle;
  torch::jit::Pickler pickler ([&] (const char *data, size_t size) { pickle.insert (pickle.end (), data, data + size); },
                               nullptr, nullptr, nullptr, nullptr, /* tag_aggregates */ false);
  pickler.protocol ();
  pickler.pushIValue (c10::IValue (dict));
  pickler.stop ();

  std::vector<char> bytes;
  caffe2::serialize::PyTorchStreamWriter zip ([&] (const void *data, size_t size) {
    const char *p = static_cast<const char *> (data);
    bytes.insert (bytes.end (), p, p + size);
    return size;
  });
  const std::vector<at::Tensor> &tensors = pickler.tensorData ();
  for (size_t i = 0; i < tensors.size (); i++)
    {
      torch::jit::WriteableTensorData data = torch::jit::getWriteableTensorData (tensors[i]);
      zip.writeRecord ("data/" + std::to_string (i), data.data (), data.sizeInBytes ());
    }
  zip.writeRecord ("data.pkl", pickle.data (), pickle.size ());
  zip.writeEndOfFile ();

  GError *local = nullptr;
  if (!g_file_set_contents_full (path, bytes.data (), bytes.size (),
                                 (GFileSetContentsFlags) (G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE),
                                 0644, &local))
    {
      g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_IO, _("could not write %s: %s"), path, local->message);
      g_error_free (local);
      return false;
    }
  return true;
}

} /* namespace otter */

using namespace otter;

const char *
otter_torch_arch_imagenet_name (const char *arch)
{
  const ArchSpec *spec = arch != nullptr ? arch_lookup (arch) : nullptr;
  return spec != nullptr && !spec->torchvision_name.empty () ? spec->torchvision_name.c_str () : nullptr;
}

gboolean
otter_torch_model_load_backbone_weights (OtterTorchModel *model,
                                         const char      *path,
                                         GError         **error)
{
  g_return_val_if_fail (model != nullptr && path != nullptr, FALSE);
  try
    {
      TensorMap state;
      std::string sha256;
      if (!pth_read_state_dict (path, state, sha256, error))
        return FALSE;
      int n_loaded = 0, n_ignored = 0;
      try
        {
          backbone_load_state_dict (*model->detector->backbone, state, &n_loaded, &n_ignored);
        }
      catch (const std::runtime_error &e)
        {
          g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_ARCHITECTURE,
                       _("%s does not fit the %s backbone: %s"), path,
                       model->detector->spec.name.c_str (), e.what ());
          return FALSE;
        }
      g_autofree char *base = g_path_get_basename (path);
      model->backbone_init_file = base;
      model->backbone_init_sha256 = sha256;
      g_debug ("%s: %d backbone tensors loaded, %d other entries ignored", path, n_loaded, n_ignored);
      return TRUE;
    }
  catch (const std::exception &e)
    {
      set_error (error, e);
      return FALSE;
    }
}

gboolean
otter_torch_model_export_state_dict (OtterTorchModel *model,
                                     const char      *path,
                                     GError         **error)
{
  g_return_val_if_fail (model != nullptr && path != nullptr, FALSE);
  try
    {
      TensorMap state;
      for (const auto &p : model->detector->named_parameters ())
        state.emplace_back (p.key (), p.value ());
      for (const auto &b : model->detector->named_buffers ())
        state.emplace_back (b.key (), b.value ());
      return pth_write_state_dict (path, state, error);
    }
  catch (const std::exception &e)
    {
      set_error (error, e);
      return FALSE;
    }
}
