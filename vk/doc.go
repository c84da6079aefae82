// Package vk is ictvk's Vulkan compute runtime: it loads the Vulkan loader,
// picks a device, sub-allocates memory, builds compute pipelines from SPIR-V,
// and records many dispatches into few submits with barriers placed from
// tracked buffer hazards.
//
// It knows nothing of tensors or models: package nn builds on it.
//
// Most objects are created through github.com/vulkan-go/vulkan; a small C
// shim (shim.c) does what that binding cannot (Vulkan 1.1 queries, the debug
// messenger, push descriptors) and records each dispatch in one cgo call.
//
// One Device per process. A Device and its Streams are not safe for
// concurrent use: callers serialize access.
package vk
