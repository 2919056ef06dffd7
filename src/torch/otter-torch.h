/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-torch.h: the plain C face of Otter's libtorch shim
 *
 * Nothing outside src/torch/ includes a libtorch header. Everything the
 * engine needs from libtorch (the detector, its loss and decoding, the
 * optimal-transport machinery, attacks and training steps, model files) is
 * reached through the opaque handles and plain structs declared here.
 *
 * Images cross this boundary as float RGB in [0, 1], laid out N×3×S×S
 * (channels first), where S is the model's square input size. Boxes are in
 * input pixel coordinates.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OTTER_TORCH_ERROR (otter_torch_error_quark ())

typedef enum
{
  OTTER_TORCH_ERROR_FAILED,
  OTTER_TORCH_ERROR_INVALID_ARGUMENT,
  OTTER_TORCH_ERROR_NOT_A_MODEL,
  OTTER_TORCH_ERROR_CORRUPT,
  OTTER_TORCH_ERROR_ARCHITECTURE,
  OTTER_TORCH_ERROR_NON_FINITE,
  OTTER_TORCH_ERROR_IO,
  OTTER_TORCH_ERROR_DISTRIBUTED,   /* rendezvous, a lost rank, ranks that disagree */
} OtterTorchError;

GQuark       otter_torch_error_quark     (void);

/* ---- runtime ---------------------------------------------------------- */

void         otter_torch_set_threads     (int      n_threads);
int          otter_torch_get_threads     (void);
gboolean     otter_torch_cuda_available  (void);
const char  *otter_torch_device_name     (void);
const char  *otter_torch_version         (void);
void         otter_torch_seed            (guint64  seed);

/* ---- data ------------------------------------------------------------- */

typedef struct
{
  float x1, y1, x2, y2;
  int   class_id;
} OtterTorchBox;

typedef struct
{
  int                  n;          /* images in the batch */
  int                  size;       /* square side S in pixels */
  const float         *images;     /* n × 3 × S × S, RGB in [0, 1] */
  const OtterTorchBox *boxes;      /* all boxes of all images, may be NULL */
  const int           *box_start;  /* n + 1 offsets into boxes, may be NULL */
} OtterTorchBatch;

typedef struct
{
  float x1, y1, x2, y2;
  float score;
  int   class_id;
  int   image;                     /* index in the batch */
} OtterTorchDetection;

/* ---- the detector ----------------------------------------------------- */

typedef struct _OtterTorchModel OtterTorchModel;

typedef struct
{
  double total;                    /* L_det = focal + λ_size·size + λ_off·offset */
  double focal;
  double size;
  double offset;
} OtterTorchLoss;

const char *const *otter_torch_model_archs      (void);

OtterTorchModel *otter_torch_model_new          (const char          *arch,
                                                 const char *const   *class_names,
                                                 int                  input_size,
                                                 guint64              seed,
                                                 GError             **error);
void             otter_torch_model_free         (OtterTorchModel     *model);
const char      *otter_torch_model_get_arch     (OtterTorchModel     *model);
int              otter_torch_model_get_n_classes (OtterTorchModel    *model);
const char *const *otter_torch_model_get_class_names (OtterTorchModel *model);
int              otter_torch_model_get_input_size (OtterTorchModel   *model);
int              otter_torch_model_get_stride   (OtterTorchModel     *model);
gint64           otter_torch_model_get_n_params (OtterTorchModel     *model);
char            *otter_torch_model_describe     (OtterTorchModel     *model);
/* JSON object stored with the weights (history, metrics, ...), or NULL */
const char      *otter_torch_model_get_metadata (OtterTorchModel     *model);

gboolean         otter_torch_model_save         (OtterTorchModel     *model,
                                                 const char          *path,
                                                 const char          *metadata_json,
                                                 GError             **error);
OtterTorchModel *otter_torch_model_load         (const char          *path,
                                                 GError             **error);

/* The backbone's four feature maps (strides 4, 8, 16 and 32) for a batch,
 * with the model in eval mode: levels[i] receives a g_malloc'd array of
 * shapes[i] = { n, channels, height, width } floats. */
gboolean         otter_torch_model_backbone_levels (OtterTorchModel   *model,
                                                 const OtterTorchBatch *batch,
                                                 float               *levels[4],
                                                 int                  shapes[4][4],
                                                 GError             **error);

/* ---- PyTorch interchange ---------------------------------------------- */

/* torchvision's name for the architecture's ImageNet-pretrained backbone
 * ("resnet18", "mobilenet_v3_large"), or NULL when there is none. */
const char      *otter_torch_arch_imagenet_name (const char          *arch);
/* Copies a torchvision-layout state_dict, saved by torch.save (zip
 * format), into the backbone by name; the classifier's entries are
 * ignored. A file named NAME-HASH.pth must have a SHA-256 that starts
 * with HASH. Nothing changes on failure. The model records the file's
 * name and SHA-256 as the origin of its backbone weights. */
gboolean         otter_torch_model_load_backbone_weights (OtterTorchModel *model,
                                                 const char          *path,
                                                 GError             **error);
/* Where the backbone's initial weights came from: the file name and
 * SHA-256 (hex), or NULL for both after a random start. */
const char      *otter_torch_model_get_backbone_init (OtterTorchModel *model,
                                                 const char         **sha256);
/* Writes every parameter and buffer of the detector as a state_dict that
 * torch.load reads (names as in named_parameters: backbone.conv1.weight,
 * heatmap.out.bias, ...). */
gboolean         otter_torch_model_export_state_dict (OtterTorchModel *model,
                                                 const char          *path,
                                                 GError             **error);
/* What a model file says about the model, as pretty-printed JSON:
 * architecture (backbone family, widths, neck, heads, stride), input
 * size, class names, normalisation and the origin of the backbone's
 * weights. Free with g_free(). */
char            *otter_torch_model_dup_description_json (OtterTorchModel *model);

gboolean         otter_torch_model_loss         (OtterTorchModel     *model,
                                                 const OtterTorchBatch *batch,
                                                 OtterTorchLoss      *loss,
                                                 GError             **error);
/* Returns an array of OtterTorchDetection, best first within each image. */
GArray          *otter_torch_model_detect       (OtterTorchModel     *model,
                                                 const OtterTorchBatch *batch,
                                                 float                score_threshold,
                                                 int                  max_per_image,
                                                 GError             **error);

/* ---- optimal transport ------------------------------------------------ */

typedef enum
{
  OTTER_FEATURE_SPACE_BATCH,
  OTTER_FEATURE_SPACE_SPATIAL,
} OtterFeatureSpace;

typedef struct
{
  float             epsilon;       /* L∞ budget, default 8/255 */
  int               steps;         /* K ascent steps, default 1 */
  float             step_size;     /* α, default ε */
  OtterFeatureSpace space;
  float             reg;           /* Sinkhorn regularisation, default 0.01 */
  int               max_iter;      /* default 100 */
  float             tol;           /* marginal L1 error to stop at, default 1e-3
                                    * (float32 rounding floors it near 1e-4) */
  int               spatial_max_side; /* cells per side in spatial mode, ≤ 32 */
  /* Differentiate through the Sinkhorn iterations instead of holding the
   * converged plan fixed (the reference gradient; slower). */
  gboolean          unrolled_gradient;
} OtterTorchOtParams;

void     otter_torch_ot_params_init   (OtterTorchOtParams *params);
/* FALSE with OTTER_TORCH_ERROR_INVALID_ARGUMENT naming the first value
 * out of range (NaN and infinities included). */
gboolean otter_torch_ot_params_validate (const OtterTorchOtParams *params,
                                         GError                  **error);

/* Entropic OT plan with uniform marginals on an n×m cost matrix, solved
 * until its L1 marginal error is below tol (or max_iter iterations).
 * plan_out receives n×m values. */
gboolean otter_torch_sinkhorn         (const float *cost,
                                       int          n,
                                       int          m,
                                       float        reg,
                                       int          max_iter,
                                       float        tol,
                                       float       *plan_out,
                                       int         *iterations_out,
                                       float       *marginal_error_out,
                                       GError     **error);
/* The same for n_plans cost matrices one after the other (the attack's
 * spatial case, one plan per image), solved side by side; the iterations
 * and the marginal error are the largest over the plans. */
gboolean otter_torch_sinkhorn_plans   (const float *cost,
                                       int          n_plans,
                                       int          n,
                                       int          m,
                                       float        reg,
                                       int          max_iter,
                                       float        tol,
                                       float       *plan_out,
                                       int         *iterations_out,
                                       float       *marginal_error_out,
                                       GError     **error);

typedef struct
{
  int    n;                        /* images */
  int    size;                     /* S */
  float *perturbed;                /* n × 3 × S × S: the target perturbation set */
  float  d_start;                  /* D at the random start */
  float  d_final;                  /* D after the ascent */
  float  linf;                     /* ‖x_adv − x‖∞ */
  /* Plans: batch space has one n×n plan; spatial space has one cells×cells
   * plan per image (rows clean cells, columns perturbed cells). */
  int    space;                    /* OtterFeatureSpace */
  int    n_plans;
  int    plan_side;
  float *plan;                     /* n_plans × side × side */
  float *cost;                     /* n_plans × side × side */
  /* Spatial only (NULL in batch space): per clean cell, the transported
   * cost side·Σ_j T_ij C_ij (averages to D) and the feature displacement
   * ‖f_i − f'_i‖ at the same cell. */
  int    map_h, map_w;
  float *cell_cost;                /* n × map_h × map_w */
  float *displacement;             /* n × map_h × map_w */
} OtterTorchOtResult;

OtterTorchOtResult *otter_torch_ot_attack      (OtterTorchModel          *model,
                                                const OtterTorchBatch    *batch,
                                                const OtterTorchOtParams *params,
                                                guint64                   seed,
                                                GError                  **error);
void                otter_torch_ot_result_free (OtterTorchOtResult       *result);

/* ---- attacks for evaluation ------------------------------------------- */

typedef enum
{
  OTTER_ATTACK_NONE,
  OTTER_ATTACK_FGSM,
  OTTER_ATTACK_PGD,
  OTTER_ATTACK_OT,
  /* PGD-50 with 5 random restarts, keeping the worst (highest-loss)
   * restart of each image: a gain that vanishes here was gradient
   * masking. */
  OTTER_ATTACK_PGD50,
} OtterAttackKind;

typedef struct
{
  OtterAttackKind    kind;
  float              epsilon;      /* default 8/255 */
  float              step_size;    /* PGD α, default 2/255 */
  int                steps;        /* PGD k, default 10 */
  gboolean           random_start; /* PGD, default TRUE */
  int                restarts;     /* PGD: random starts, the worst kept per image; default 1 (5 for pgd50) */
  OtterTorchOtParams ot;           /* the OT attack's settings */
} OtterTorchAttackParams;

void        otter_torch_attack_params_init (OtterTorchAttackParams *params,
                                            OtterAttackKind         kind);
const char *otter_attack_kind_to_string    (OtterAttackKind         kind);
gboolean    otter_attack_kind_from_string  (const char             *str,
                                            OtterAttackKind        *kind);

/* Writes n × 3 × S × S attacked images to out_images. Needs boxes for the
 * loss-based attacks (FGSM, PGD). */
gboolean otter_torch_attack (OtterTorchModel              *model,
                             const OtterTorchBatch        *batch,
                             const OtterTorchAttackParams *params,
                             guint64                       seed,
                             float                        *out_images,
                             GError                      **error);

/* ---- training --------------------------------------------------------- */

typedef enum
{
  OTTER_METHOD_OT,
  OTTER_METHOD_STANDARD,
  OTTER_METHOD_PGD,
} OtterTrainMethod;

typedef enum
{
  OTTER_OPTIMIZER_SGD,
  OTTER_OPTIMIZER_ADAMW,
} OtterOptimizerKind;

const char *otter_train_method_to_string     (OtterTrainMethod    method);
gboolean    otter_train_method_from_string   (const char         *str,
                                              OtterTrainMethod   *method);
const char *otter_optimizer_kind_to_string   (OtterOptimizerKind  kind);
gboolean    otter_optimizer_kind_from_string (const char         *str,
                                              OtterOptimizerKind *kind);

typedef struct
{
  OtterTrainMethod   method;
  OtterOptimizerKind optimizer;
  double             lr;            /* peak learning rate */
  double             momentum;      /* SGD momentum / AdamW β1 */
  double             weight_decay;
  gint64             warmup_steps;
  gint64             total_steps;   /* length of the cosine schedule */
  double             min_lr_ratio;  /* floor of the cosine, × lr */
  double             w1, w2;        /* weights of the clean and perturbed losses */
  double             grad_clip;     /* max global gradient norm, 0 = off */
  OtterTorchOtParams ot;            /* method ot: the target perturbation set */
  int                pgd_steps;     /* method pgd */
  float              pgd_step_size;
  /* The backbone's learning rate is lr × this (fine-tuning a pretrained
   * backbone wants it lower than the new neck and heads), default 1. */
  double             backbone_lr_scale;
  /* Exponential moving average of the weights, used for evaluation and
   * stored as the model: the decay after its warm-up ramp; 0 = off. */
  double             ema_decay;
} OtterTorchTrainParams;

void otter_torch_train_params_init (OtterTorchTrainParams *params);
/* What otter_torch_trainer_new() checks, before anything is built. */
gboolean otter_torch_train_params_validate (const OtterTorchTrainParams *params,
                                            GError                     **error);

typedef struct
{
  double l1;                        /* clean detection loss (NAN where not computed) */
  double l2;                        /* perturbed detection loss (NAN for standard) */
  double loss;                      /* the target loss the step minimised */
  double d;                         /* feature matching distance (NAN unless ot) */
  double lr;
  double grad_norm;
} OtterTorchStepResult;

typedef struct _OtterTorchTrainer OtterTorchTrainer;

/* The trainer borrows the model; it must outlive the trainer. */
OtterTorchTrainer *otter_torch_trainer_new       (OtterTorchModel             *model,
                                                  const OtterTorchTrainParams *params,
                                                  GError                     **error);
void               otter_torch_trainer_free      (OtterTorchTrainer           *trainer);
gint64             otter_torch_trainer_get_step  (OtterTorchTrainer           *trainer);
double             otter_torch_trainer_lr_at     (OtterTorchTrainer           *trainer,
                                                  gint64                       step);
/* One optimiser step. A non-finite loss leaves the weights untouched and
 * fails with OTTER_TORCH_ERROR_NON_FINITE. */
gboolean           otter_torch_trainer_step      (OtterTorchTrainer           *trainer,
                                                  const OtterTorchBatch       *batch,
                                                  guint64                      seed,
                                                  OtterTorchStepResult        *result,
                                                  GError                     **error);
/* While frozen the backbone's weights and batch-norm statistics stay as
 * they are (fine-tuning's first epochs); off by default. */
void               otter_torch_trainer_set_backbone_frozen (OtterTorchTrainer *trainer,
                                                            gboolean           frozen);
/* With ema_decay > 0: exchanges the model's weights with their moving
 * average (call again to exchange them back). Evaluating or storing the
 * model between two calls uses the average. FALSE when EMA is off. */
gboolean           otter_torch_trainer_swap_ema  (OtterTorchTrainer           *trainer);
/* Checkpoints hold the model, the optimiser state and the step count,
 * written atomically (temporary file, then rename). */
gboolean           otter_torch_trainer_save_checkpoint (OtterTorchTrainer     *trainer,
                                                        const char            *path,
                                                        const char            *metadata_json,
                                                        GError               **error);
gboolean           otter_torch_trainer_load_checkpoint (OtterTorchTrainer     *trainer,
                                                        const char            *path,
                                                        GError               **error);

/* ---- distributed training ------------------------------------------- */

/* A group of processes training one model data-parallel on c10d: the
 * rendezvous on a TCPStore served by rank 0 at master_addr:master_port,
 * the collectives on Gloo. Every wait is bounded by timeout_seconds. */
typedef struct _OtterTorchGroup OtterTorchGroup;

/* FALSE when libtorch was built without c10d's Gloo backend. */
gboolean         otter_torch_group_available       (void);
/* Blocks until every rank has joined, or fails with
 * OTTER_TORCH_ERROR_DISTRIBUTED naming the address it tried. */
OtterTorchGroup *otter_torch_group_new             (const char      *master_addr,
                                                    int              master_port,
                                                    int              rank,
                                                    int              world_size,
                                                    double           timeout_seconds,
                                                    GError         **error);
void             otter_torch_group_free            (OtterTorchGroup *group);
int              otter_torch_group_get_rank        (OtterTorchGroup *group);
int              otter_torch_group_get_world_size  (OtterTorchGroup *group);
/* Seconds spent exchanging gradients so far, and in how many steps. */
double           otter_torch_group_get_reduce_seconds (OtterTorchGroup *group,
                                                       gint64          *n_reductions);
/* Element-wise sum of `values` over the ranks, in place. */
gboolean         otter_torch_group_sum             (OtterTorchGroup *group,
                                                    double          *values,
                                                    int              n,
                                                    GError         **error);
/* Fails on every rank unless every rank passes the same `value` for
 * `what` (a description of the data, the model, the settings). */
gboolean         otter_torch_group_check_same      (OtterTorchGroup *group,
                                                    const char      *what,
                                                    const char      *value,
                                                    GError         **error);
/* Rank 0's `text` (ignored on the other ranks), in *out on every rank:
 * the settings of a resumed run, which only rank 0 reads. */
gboolean         otter_torch_group_share_text      (OtterTorchGroup *group,
                                                    const char      *what,
                                                    const char      *text,
                                                    char           **out,
                                                    GError         **error);

/* Rank 0 publishes `n` values under `key`; the other ranks wait for them
 * as long as rank 0 is there, beyond the timeout (its validation pass,
 * say), and fail at once when it is gone. */
gboolean         otter_torch_group_publish         (OtterTorchGroup *group,
                                                    const char      *key,
                                                    const double    *values,
                                                    int              n,
                                                    GError         **error);
gboolean         otter_torch_group_await           (OtterTorchGroup *group,
                                                    const char      *key,
                                                    double          *values,
                                                    int              n,
                                                    GCancellable    *cancellable,
                                                    GError         **error);

/* From now on each step averages the gradients over the group before the
 * optimiser's update, and the batch-norm running statistics after it, so
 * every rank holds the same model; the step's losses are the ranks'
 * means. The group must outlive the trainer. */
void             otter_torch_trainer_set_group     (OtterTorchTrainer *trainer,
                                                    OtterTorchGroup   *group);
/* Copies rank 0's weights, optimiser state and step count to every rank
 * (after rank 0 alone restored a checkpoint, say). */
gboolean         otter_torch_trainer_broadcast_state (OtterTorchTrainer *trainer,
                                                      GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterTorchGroup, otter_torch_group_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterTorchModel, otter_torch_model_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterTorchTrainer, otter_torch_trainer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterTorchOtResult, otter_torch_ot_result_free)

G_END_DECLS
