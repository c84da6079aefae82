// Package vk is ictvk's Vulkan compute runtime: it loads the Vulkan loader,
// picks a device, sub-allocates memory, builds compute pipelines from SPIR-V,
// and records many dispatches into few submits with barriers placed from
// tracked buffer hazards.
//
// It knows nothing of tensors or models: package nn builds on it.
//
// # Two ways into Vulkan
//
// Most objects are created through github.com/vulkan-go/vulkan (imported as
// vk; upstream, unmodified: Vulkan 1.0 wrappers over its own copy of the
// 1.1.88 headers): device creation and queries (instance.go, device.go),
// buffers and memory (memory.go), shader modules, layouts and the pipeline
// cache (pipeline.go), and in stream.go the command, descriptor and query
// pools, fences, submits and the transfer commands (copy, fill, update).
// On lavapipe, which compiles a pipeline at its first dispatch on one
// thread, precompile.go compiles the pipelines a submit runs for the first
// time on all cores before submitting it, with helper devices.
//
// A small C shim (shim.h, shim.c) does the rest:
//
//   - Loading. ict_load dlopens libvulkan.so.1 (or $ICT_VULKAN_LIB) and its
//     vkGetInstanceProcAddr is handed to vulkan-go (SetGetInstanceProcAddr,
//     Init, InitInstance), so no binary links libvulkan.
//   - What the binding cannot do: the instance with the validation layer and
//     its debug messenger, Vulkan 1.1 and 1.2 property queries (subgroup
//     size, driver name), push descriptors.
//   - The hot path. ict_dispatch binds the pipeline and the buffers (storage
//     buffers, or uniform texel buffers through views that each memory
//     block makes once per range and keeps until it is released), pushes
//     the constants and dispatches in one cgo call (ict_barrier and
//     ict_timestamp likewise), through device entry points the shim loads
//     itself (ict_device_fns).
//   - Create infos that must stay put: ict_create_compute_pipeline keeps its
//     specialization constants on the C stack, because vulkan-go's marshalled
//     copies can be freed by finalizers during the call.
//
// The shim compiles against the system's <vulkan/vulkan.h> (libvulkan-dev);
// both sides pass the same handles, converted with unsafe.Pointer.
//
// # The presenter
//
// present.go and present.c show frames in a window for package viewer,
// all swapchain work in C. cmd/ict opens the device with the instance
// extensions viewer.InstanceExtensions lists (Options.InstanceExtensions,
// and Options.Present to enable VK_KHR_swapchain on the training device);
// viewer.Open makes the window's VkSurfaceKHR with GLFW from
// Device.InstanceHandle and gives it to Device.NewPresenter. A Presenter
// copies each frame, painted on the host, into the acquired swapchain
// image: from the training queue where that queue can present, otherwise
// from a device of its own. vk takes the surface as a plain handle and
// links no window system; ict built with -tags noviewer compiles the
// presenter but never calls it.
//
// One Device per process. A Device and its Streams are not safe for
// concurrent use: callers serialize access.
package vk
