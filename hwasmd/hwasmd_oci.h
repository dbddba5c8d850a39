/*
 * hwasmd_oci.h — modules pulled from an OCI registry (hwasmd_oci.c).
 */
#ifndef HWASMD_OCI_H
#define HWASMD_OCI_H

#include "hwasmd_http_get.h"

/* Pulls the wasm layer of an OCI artifact, ref "REGISTRY/REPO:TAG" or
 * "REGISTRY/REPO@sha256:HEX". 0 with the layer's bytes (their digest checked), or -1 and
 * why. */
int hwd_oci_pull(const char *ref, struct hwd_blob *out, char *why, size_t cap);

#endif /* HWASMD_OCI_H */
