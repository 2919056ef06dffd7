/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-eval-page-drops.c: the Evaluation page's largest drops: the images
 * an attack hurt most, and one of them clean beside attacked */

#include "config.h"

#include <glib/gi18n.h>

#include "otter-eval-page-private.h"

typedef struct
{
  GWeakRef page;
  guint    serial;
} InspectRequest;

static void
set_spinning (OtterEvalPage *self,
              gboolean       spinning)
{
  gtk_spinner_set_spinning (self->inspect_spinner, spinning);
  gtk_widget_set_visible (GTK_WIDGET (self->inspect_spinner), spinning);
}

static const OtterImageDrop *
drop_at (OtterEvalPage *self,
         guint          position)
{
  if (self->drops == NULL || position >= self->drops->len)
    return NULL;
  return &g_array_index (self->drops, OtterImageDrop, position);
}

static const char *
image_name (OtterEvalPage *self,
            guint          image)
{
  OtterDataset *data = otter_evaluation_get_data (self->evaluation);
  return otter_sample_get_display_name (otter_dataset_get_sample (data, image));
}

static void
row_setup_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *subtitle = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_widget_add_css_class (subtitle, "numeric");
  gtk_widget_set_margin_top (box, 4);
  gtk_widget_set_margin_bottom (box, 4);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), subtitle);
  gtk_list_item_set_child (item, box);
}

static void
row_bind_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             OtterEvalPage            *self)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkLabel *title = GTK_LABEL (gtk_widget_get_first_child (box));
  GtkLabel *subtitle = GTK_LABEL (gtk_widget_get_last_child (box));
  const OtterImageDrop *d = drop_at (self, gtk_list_item_get_position (item));
  g_autofree char *text = NULL;

  if (d == NULL || self->evaluation == NULL)
    return;
  gtk_label_set_label (title, image_name (self, d->image));
  /* TRANSLATORS: objects found clean → found under attack, of all objects */
  text = g_strdup_printf (_("%u → %u of %u found"), d->clean.tp, d->attacked.tp, d->clean.n_truths);
  if (d->attacked.fp > d->clean.fp)
    {
      g_autofree char *more = g_strdup_printf (_("%s · %u more false"), text, d->attacked.fp - d->clean.fp);
      g_free (text);
      text = g_steal_pointer (&more);
    }
  gtk_label_set_label (subtitle, text);
}

static void
set_boxes (OtterEvalPage  *self,
           OtterImageView *view,
           GArray         *detections)
{
  g_autoptr (GArray) boxes = g_array_new (FALSE, FALSE, sizeof (OtterViewBox));
  const char *const *names = otter_evaluation_get_class_names (self->evaluation);
  guint n_names = names != NULL ? g_strv_length ((char **) names) : 0;

  for (guint k = 0; k < detections->len; k++)
    {
      const OtterPrediction *p = &g_array_index (detections, OtterPrediction, k);
      OtterViewBox box = {
        p->x1, p->y1, p->x2, p->y2, p->class_id,
        p->class_id >= 0 && (guint) p->class_id < n_names ? names[p->class_id] : NULL,
        p->score,
      };
      /* the detections the scores counted, not the faint ones below */
      if (p->score >= OTTER_EVALUATION_CONFIDENT)
        g_array_append_val (boxes, box);
    }
  otter_image_view_set_boxes (view, (const OtterViewBox *) (gpointer) boxes->data, boxes->len);
}

static void
clear_pair (OtterEvalPage *self)
{
  otter_image_view_set_texture (self->clean_view, NULL);
  otter_image_view_set_boxes (self->clean_view, NULL, 0);
  otter_image_view_set_texture (self->attacked_view, NULL);
  otter_image_view_set_boxes (self->attacked_view, NULL, 0);
  gtk_label_set_label (self->clean_label, "");
  gtk_label_set_label (self->attacked_label, "");
  self->inspected = -1;
}

static char *
found_text (const char            *run,
            const OtterImageScore *score)
{
  if (score->fp > 0)
    /* TRANSLATORS: "FGSM · 1 of 3 found, 2 false" */
    return g_strdup_printf (_("%s · %u of %u found, %u false"), run, score->tp, score->n_truths, score->fp);
  return g_strdup_printf (_("%s · %u of %u found"), run, score->tp, score->n_truths);
}

static gboolean
same_score (const OtterImageScore *a,
            const OtterImageScore *b)
{
  return a->tp == b->tp && a->fp == b->fp;
}

static void
inspect_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  InspectRequest *request = user_data;
  g_autoptr (OtterEvalPage) self = g_weak_ref_get (&request->page);
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterEvalImage) image = otter_evaluation_inspect_finish (OTTER_EVALUATION (source),
                                                                      result, &error);
  guint serial = request->serial;

  g_weak_ref_clear (&request->page);
  g_free (request);
  /* a page that went away, or a newer selection: this one is stale */
  if (self == NULL || serial != self->inspect_serial ||
      OTTER_EVALUATION (source) != self->evaluation)
    return;
  set_spinning (self, FALSE);
  if (image == NULL)
    {
      gtk_label_set_label (self->inspect_note, error->message);
      return;
    }

  const OtterImageDrop *d = NULL;
  for (guint i = 0; self->drops != NULL && i < self->drops->len; i++)
    if (g_array_index (self->drops, OtterImageDrop, i).image == image->image)
      d = &g_array_index (self->drops, OtterImageDrop, i);
  g_autofree char *attack = otter_evaluation_dup_attack_label (self->evaluation, self->drops_attack);
  g_autofree char *clean_text = found_text (C_("attack", "Clean"), &image->clean_score);
  g_autofree char *attacked_text = found_text (attack, &image->attacked_score);
  g_autofree char *note = NULL;

  otter_image_view_set_chw_region (self->clean_view, image->clean, image->size, image->content);
  otter_image_view_set_chw_region (self->attacked_view, image->attacked, image->size, image->content);
  set_boxes (self, self->clean_view, image->clean_detections);
  set_boxes (self, self->attacked_view, image->attacked_detections);
  gtk_label_set_label (self->clean_label, clean_text);
  gtk_label_set_label (self->attacked_label, attacked_text);
  /* the attack's random start depends on the batch, so say whether the
   * recomputation reproduced what the table scored */
  if (d != NULL && same_score (&d->clean, &image->clean_score) &&
      same_score (&d->attacked, &image->attacked_score))
    note = g_strdup_printf (_("Recomputed for this image with the evaluation’s %s settings and seed; "
                              "it finds what the evaluation found. Boxes: detections scored %.2f or more."),
                            attack, OTTER_EVALUATION_CONFIDENT);
  else
    note = g_strdup_printf (_("Recomputed for this image with the evaluation’s %s settings and seed, "
                              "but it finds other objects than the evaluation did."), attack);
  gtk_label_set_label (self->inspect_note, note);
  self->inspected = (int) image->image;
}

static void
inspect (OtterEvalPage *self,
         guint          position)
{
  const OtterImageDrop *d = drop_at (self, position);
  InspectRequest *request;

  g_cancellable_cancel (self->inspect_cancellable);
  g_clear_object (&self->inspect_cancellable);
  self->inspect_serial++;
  clear_pair (self);
  if (d == NULL)
    {
      set_spinning (self, FALSE);
      gtk_label_set_label (self->inspect_title, "");
      gtk_label_set_label (self->inspect_note, "");
      return;
    }

  g_autofree char *attack = otter_evaluation_dup_attack_label (self->evaluation, self->drops_attack);
  g_autofree char *note = g_strdup_printf (_("Recomputing the %s attack for this image…"), attack);
  gtk_label_set_label (self->inspect_title, image_name (self, d->image));
  gtk_label_set_label (self->inspect_note, note);
  set_spinning (self, TRUE);

  self->inspect_cancellable = g_cancellable_new ();
  request = g_new0 (InspectRequest, 1);
  g_weak_ref_init (&request->page, self);
  request->serial = self->inspect_serial;
  otter_evaluation_inspect_async (self->evaluation, self->drops_model, self->drops_attack, d->image,
                                  self->inspect_cancellable, inspect_done_cb, request);
}

static void
selection_changed_cb (GtkSingleSelection *selection,
                      GParamSpec         *pspec,
                      OtterEvalPage      *self)
{
  inspect (self, gtk_single_selection_get_selected (selection));
}

static void
show_drops_empty (OtterEvalPage *self,
                  const char    *title,
                  const char    *description)
{
  adw_status_page_set_title (self->drops_status, title);
  adw_status_page_set_description (self->drops_status, description);
  gtk_stack_set_visible_child_name (self->drops_stack, "empty");
}

void
otter_eval_page_drops_update (OtterEvalPage *self,
                              guint          model,
                              guint          attack)
{
  int clean = otter_evaluation_find_clean (self->evaluation);

  otter_eval_page_drops_clear (self);
  self->drops_model = model;
  self->drops_attack = attack;
  self->drops = otter_evaluation_dup_drops (self->evaluation, model, attack);
  if (self->drops == NULL)
    {
      if (clean < 0)
        show_drops_empty (self, _("No Clean Results"),
                          _("Include Clean among the attacks to compare each image with its clean result"));
      else
        show_drops_empty (self, _("Clean Is the Baseline"),
                          _("Choose an attack to see the images it hurt most"));
      return;
    }

  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < self->drops->len; i++)
    g_ptr_array_add (keys, g_strdup_printf ("%u", g_array_index (self->drops, OtterImageDrop, i).image));
  g_ptr_array_add (keys, NULL);
  gtk_string_list_splice (self->drop_rows, 0, 0, (const char *const *) keys->pdata);
  gtk_stack_set_visible_child_name (self->drops_stack, "list");
  if (self->drops->len > 0)
    otter_eval_page_select_drop (self, 0);
}

void
otter_eval_page_drops_clear (OtterEvalPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->drop_rows));

  g_clear_pointer (&self->drops, g_array_unref);
  if (n > 0)
    gtk_string_list_splice (self->drop_rows, 0, n, NULL);
  inspect (self, GTK_INVALID_LIST_POSITION);
  show_drops_empty (self, _("No Results Yet"), NULL);
}

void
otter_eval_page_drops_init (OtterEvalPage *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkSingleSelection *selection;

  self->inspected = -1;
  self->drop_rows = gtk_string_list_new (NULL);
  selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->drop_rows)));
  gtk_single_selection_set_autoselect (selection, FALSE);
  g_signal_connect (selection, "notify::selected", G_CALLBACK (selection_changed_cb), self);
  g_signal_connect (factory, "setup", G_CALLBACK (row_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (row_bind_cb), self);
  gtk_list_view_set_factory (self->drops_list, factory);
  gtk_list_view_set_model (self->drops_list, GTK_SELECTION_MODEL (selection));
  g_object_unref (factory);
  g_object_unref (selection);
  show_drops_empty (self, _("No Results Yet"), NULL);
}

void
otter_eval_page_drops_dispose (OtterEvalPage *self)
{
  g_cancellable_cancel (self->inspect_cancellable);
  g_clear_object (&self->inspect_cancellable);
  g_clear_pointer (&self->drops, g_array_unref);
  /* the selection's handler points at the page */
  if (self->drops_list != NULL)
    gtk_list_view_set_model (self->drops_list, NULL);
  g_clear_object (&self->drop_rows);
}

GArray *
otter_eval_page_get_drops (OtterEvalPage *self)
{
  g_return_val_if_fail (OTTER_IS_EVAL_PAGE (self), NULL);
  return self->drops;
}

void
otter_eval_page_select_drop (OtterEvalPage *self,
                             guint          position)
{
  g_return_if_fail (OTTER_IS_EVAL_PAGE (self));
  g_return_if_fail (self->drops != NULL && position < self->drops->len);

  GtkSingleSelection *selection = GTK_SINGLE_SELECTION (gtk_list_view_get_model (self->drops_list));
  if (gtk_single_selection_get_selected (selection) == position)
    inspect (self, position);
  else
    gtk_single_selection_set_selected (selection, position);
}

int
otter_eval_page_get_inspected (OtterEvalPage *self)
{
  g_return_val_if_fail (OTTER_IS_EVAL_PAGE (self), -1);
  return self->inspected;
}

gboolean
otter_eval_page_get_inspecting (OtterEvalPage *self)
{
  g_return_val_if_fail (OTTER_IS_EVAL_PAGE (self), FALSE);
  return self->inspect_cancellable != NULL && self->inspected < 0;
}

OtterImageView *
otter_eval_page_get_clean_view (OtterEvalPage *self)
{
  g_return_val_if_fail (OTTER_IS_EVAL_PAGE (self), NULL);
  return self->clean_view;
}

OtterImageView *
otter_eval_page_get_attacked_view (OtterEvalPage *self)
{
  g_return_val_if_fail (OTTER_IS_EVAL_PAGE (self), NULL);
  return self->attacked_view;
}
