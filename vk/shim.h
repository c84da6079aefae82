// The C side of package vk: what vulkan-go (Vulkan 1.0 wrappers, 1.1.88
// headers) cannot do, and the per-dispatch hot path, which is cheaper as a
// single cgo call than as five marshalled vulkan-go calls.
#ifndef ICTVK_SHIM_H
#define ICTVK_SHIM_H

#include <stdint.h>
#include <vulkan/vulkan.h>

// ict_load opens the Vulkan loader (path, or the system's when path is
// empty). It returns vkGetInstanceProcAddr, or NULL with a message in err.
void *ict_load(const char *path, char *err, int errlen);

// ict_gipa is the vkGetInstanceProcAddr that ict_load found.
PFN_vkGetInstanceProcAddr ict_gipa(void);

// ict_create_instance creates an instance. With validate set it enables
// VK_LAYER_KHRONOS_validation with synchronization validation and a debug
// messenger (returned in *messenger, which ict_destroy_instance takes
// back) whose messages land in the buffer read by ict_take_messages.
VkResult ict_create_instance(int validate, uint32_t api_version,
                             const char *const *exts, uint32_t next,
                             VkInstance *out, VkDebugUtilsMessengerEXT *messenger);
void ict_destroy_instance(VkInstance inst, VkDebugUtilsMessengerEXT messenger);

// ict_take_messages copies the recorded validation messages (each ending in
// '\n') into buf and clears the record. It returns how many bytes were
// written, and the count of messages (including dropped ones) in *count.
int ict_take_messages(char *buf, int buflen, int *count);

// ict_subgroup_props asks VkPhysicalDeviceSubgroupProperties through
// vkGetPhysicalDeviceProperties2 (Vulkan 1.1): it returns the subgroup
// size (0 when unavailable) and writes the subgroup operations compute
// shaders may use (VkSubgroupFeatureFlags; 0 when none) to *compute_ops.
uint32_t ict_subgroup_props(VkInstance inst, VkPhysicalDevice pd, uint32_t *compute_ops);

// ict_driver_name writes VkPhysicalDeviceDriverProperties' name and info
// (Vulkan 1.2) into buf; empty when the device cannot say.
void ict_driver_name(VkInstance inst, VkPhysicalDevice pd, char *buf, int buflen);

// ict_device_fns holds the device-level entry points the recorder uses.
typedef struct ict_device_fns {
  PFN_vkCmdBindPipeline bind_pipeline;
  PFN_vkCmdPushConstants push_constants;
  PFN_vkCmdDispatch dispatch;
  PFN_vkCmdPipelineBarrier pipeline_barrier;
  PFN_vkCmdWriteTimestamp write_timestamp;
  PFN_vkCmdBindDescriptorSets bind_descriptor_sets;
  PFN_vkAllocateDescriptorSets allocate_descriptor_sets;
  PFN_vkUpdateDescriptorSets update_descriptor_sets;
  PFN_vkCmdPushDescriptorSetKHR push_descriptor_set; // NULL without the extension
  PFN_vkCreateComputePipelines create_compute_pipelines;
  VkDevice device;
} ict_device_fns;

// ict_load_device_fns fills fns; it returns 0 on success, -1 when a core
// entry point is missing.
int ict_load_device_fns(VkInstance inst, VkDevice dev, int push_descriptor,
                        ict_device_fns *fns);

// ict_dispatch records one compute dispatch: bind the pipeline, bind the
// buffers (push descriptors when pool is VK_NULL_HANDLE, otherwise a set
// allocated from pool; binding i is the uniform texel buffer views[i]
// where views is not NULL and views[i] not VK_NULL_HANDLE, otherwise a
// storage buffer), push constants, dispatch. Returns a VkResult.
VkResult ict_dispatch(const ict_device_fns *fns, VkCommandBuffer cmd,
                      VkPipeline pipe, VkPipelineLayout layout,
                      VkDescriptorSetLayout set_layout, VkDescriptorPool pool,
                      uint32_t nbuf, const VkBuffer *bufs,
                      const VkDeviceSize *offsets, const VkDeviceSize *ranges,
                      const VkBufferView *views, const void *push, uint32_t push_size, uint32_t gx,
                      uint32_t gy, uint32_t gz);

// ict_barrier records one global memory barrier from the stages/accesses in
// src to those in dst.
void ict_barrier(const ict_device_fns *fns, VkCommandBuffer cmd,
                 VkPipelineStageFlags src_stage, VkAccessFlags src_access,
                 VkPipelineStageFlags dst_stage, VkAccessFlags dst_access);

void ict_timestamp(const ict_device_fns *fns, VkCommandBuffer cmd,
                   VkPipelineStageFlagBits stage, VkQueryPool pool,
                   uint32_t query);

// ict_create_compute_pipeline builds a compute pipeline whose constant_id
// i takes spec[i]. The create info lives on the C stack: vulkan-go's
// marshalled copies can be freed by finalizers during the call.
VkResult ict_create_compute_pipeline(const ict_device_fns *f, VkPipelineCache cache,
                                     VkShaderModule module, VkPipelineLayout layout,
                                     const uint32_t *spec, uint32_t nspec,
                                     VkPipeline *out);

#endif
