/*
 * decode_sections.h — one reader per known section (decode_sections.c). Each reads the
 * section's contents from d->pos up to d->end into d->m; decode.c checks the framing.
 */
#ifndef HWASMC_DECODE_SECTIONS_H
#define HWASMC_DECODE_SECTIONS_H

#include "decode_util.h"

int dec_type_section(dec *d);
int dec_import_section(dec *d);
int dec_function_section(dec *d);
int dec_table_section(dec *d);
int dec_memory_section(dec *d);
int dec_global_section(dec *d);
int dec_export_section(dec *d);
int dec_start_section(dec *d);
int dec_elem_section(dec *d);
int dec_data_count_section(dec *d);
/* Also checks the number of bodies against the function section. */
int dec_code_section(dec *d);
int dec_data_section(dec *d);

#endif /* HWASMC_DECODE_SECTIONS_H */
