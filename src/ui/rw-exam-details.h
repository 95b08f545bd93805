/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "rw-exam.h"

G_BEGIN_DECLS

#define RW_TYPE_EXAM_DETAILS (rw_exam_details_get_type ())
G_DECLARE_FINAL_TYPE (RwExamDetails, rw_exam_details, RW, EXAM_DETAILS, AdwWindow)

RwExamDetails *rw_exam_details_new      (RwExam        *exam);
RwExam        *rw_exam_details_get_exam (RwExamDetails *self);

G_END_DECLS
