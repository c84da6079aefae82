#include "shim.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static PFN_vkGetInstanceProcAddr gipa;

PFN_vkGetInstanceProcAddr ict_gipa(void) { return gipa; }

void *ict_load(const char *path, char *err, int errlen) {
  // Debian ships the unversioned libvulkan.so only in libvulkan-dev, so the
  // versioned name comes first.
  const char *names[] = {"libvulkan.so.1", "libvulkan.so"};
  void *lib = NULL;
  if (path != NULL && path[0] != 0) {
    lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  } else {
    for (int i = 0; i < 2 && lib == NULL; i++) lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
  }
  if (lib == NULL) {
    snprintf(err, errlen, "%s", dlerror());
    return NULL;
  }
  gipa = (PFN_vkGetInstanceProcAddr)dlsym(lib, "vkGetInstanceProcAddr");
  if (gipa == NULL) {
    snprintf(err, errlen, "libvulkan has no vkGetInstanceProcAddr");
    return NULL;
  }
  return (void *)gipa;
}

// Validation messages are kept in one process-wide buffer, whichever
// instance's messenger reports them (tests open several engines at once),
// and the callback may run on any thread.
static pthread_mutex_t msg_mu = PTHREAD_MUTEX_INITIALIZER;
static char msg_buf[1 << 16];
static int msg_len;
static int msg_count;

static VKAPI_ATTR VkBool32 VKAPI_CALL on_message(
    VkDebugUtilsMessageSeverityFlagBitsEXT severity,
    VkDebugUtilsMessageTypeFlagsEXT type,
    const VkDebugUtilsMessengerCallbackDataEXT *data, void *user) {
  (void)type;
  (void)user;
  const char *level = (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) ? "error" : "warning";
  pthread_mutex_lock(&msg_mu);
  msg_count++;
  int room = (int)sizeof(msg_buf) - msg_len;
  if (room > 1) {
    int n = snprintf(msg_buf + msg_len, room, "validation %s: %s\n", level,
                     data->pMessage ? data->pMessage : "(no message)");
    msg_len += n < room ? n : room - 1;
  }
  pthread_mutex_unlock(&msg_mu);
  return VK_FALSE;
}

int ict_take_messages(char *buf, int buflen, int *count) {
  pthread_mutex_lock(&msg_mu);
  int n = msg_len < buflen ? msg_len : buflen;
  memcpy(buf, msg_buf, n);
  *count = msg_count;
  msg_len = 0;
  msg_count = 0;
  pthread_mutex_unlock(&msg_mu);
  return n;
}

static void fill_messenger_info(VkDebugUtilsMessengerCreateInfoEXT *info) {
  memset(info, 0, sizeof(*info));
  info->sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT;
  info->messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                          VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
  info->messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                      VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT;
  info->pfnUserCallback = on_message;
}

VkResult ict_create_instance(int validate, uint32_t api_version,
                             const char *const *exts, uint32_t next,
                             VkInstance *out, VkDebugUtilsMessengerEXT *messenger) {
  *messenger = VK_NULL_HANDLE;
  PFN_vkCreateInstance create = (PFN_vkCreateInstance)gipa(NULL, "vkCreateInstance");
  if (create == NULL) return VK_ERROR_INITIALIZATION_FAILED;

  VkApplicationInfo app = {VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "ictvk";
  app.pEngineName = "ictvk";
  app.apiVersion = api_version;

  const char *all_exts[32];
  uint32_t n = 0;
  for (uint32_t i = 0; i < next && n < 30; i++) all_exts[n++] = exts[i];
  const char *layers[] = {"VK_LAYER_KHRONOS_validation"};

  VkDebugUtilsMessengerCreateInfoEXT dbg;
  VkValidationFeatureEnableEXT enables[] = {VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT};
  VkValidationFeaturesEXT features = {VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT};
  VkInstanceCreateInfo info = {VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  info.pApplicationInfo = &app;
  if (validate) {
    all_exts[n++] = VK_EXT_DEBUG_UTILS_EXTENSION_NAME;
    all_exts[n++] = VK_EXT_VALIDATION_FEATURES_EXTENSION_NAME;
    fill_messenger_info(&dbg);
    // Synchronization validation turns a missing barrier into an error
    // message, even on drivers (lavapipe) that happen to run in order.
    features.enabledValidationFeatureCount = 1;
    features.pEnabledValidationFeatures = enables;
    features.pNext = &dbg;
    info.pNext = &features;
    info.enabledLayerCount = 1;
    info.ppEnabledLayerNames = layers;
  }
  info.enabledExtensionCount = n;
  info.ppEnabledExtensionNames = all_exts;
  VkResult r = create(&info, NULL, out);
  if (r != VK_SUCCESS || !validate) return r;

  PFN_vkCreateDebugUtilsMessengerEXT mk =
      (PFN_vkCreateDebugUtilsMessengerEXT)gipa(*out, "vkCreateDebugUtilsMessengerEXT");
  fill_messenger_info(&dbg);
  r = mk ? mk(*out, &dbg, NULL, messenger) : VK_ERROR_EXTENSION_NOT_PRESENT;
  if (r != VK_SUCCESS) {
    ict_destroy_instance(*out, VK_NULL_HANDLE);
    *out = NULL;
    *messenger = VK_NULL_HANDLE;
  }
  return r;
}

void ict_destroy_instance(VkInstance inst, VkDebugUtilsMessengerEXT messenger) {
  if (messenger != VK_NULL_HANDLE) {
    PFN_vkDestroyDebugUtilsMessengerEXT rm =
        (PFN_vkDestroyDebugUtilsMessengerEXT)gipa(inst, "vkDestroyDebugUtilsMessengerEXT");
    if (rm) rm(inst, messenger, NULL);
  }
  PFN_vkDestroyInstance destroy = (PFN_vkDestroyInstance)gipa(inst, "vkDestroyInstance");
  if (destroy) destroy(inst, NULL);
}

uint32_t ict_subgroup_props(VkInstance inst, VkPhysicalDevice pd, uint32_t *compute_ops) {
  *compute_ops = 0;
  PFN_vkGetPhysicalDeviceProperties2 get =
      (PFN_vkGetPhysicalDeviceProperties2)gipa(inst, "vkGetPhysicalDeviceProperties2");
  if (get == NULL) return 0;
  VkPhysicalDeviceSubgroupProperties sub = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
  VkPhysicalDeviceProperties2 props = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
  props.pNext = &sub;
  get(pd, &props);
  if (sub.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) *compute_ops = sub.supportedOperations;
  return sub.subgroupSize;
}

int ict_load_device_fns(VkInstance inst, VkDevice dev, int push_descriptor,
                        ict_device_fns *f) {
  PFN_vkGetDeviceProcAddr gdpa = (PFN_vkGetDeviceProcAddr)gipa(inst, "vkGetDeviceProcAddr");
  if (gdpa == NULL) return -1;
  memset(f, 0, sizeof(*f));
  f->device = dev;
  f->bind_pipeline = (PFN_vkCmdBindPipeline)gdpa(dev, "vkCmdBindPipeline");
  f->push_constants = (PFN_vkCmdPushConstants)gdpa(dev, "vkCmdPushConstants");
  f->dispatch = (PFN_vkCmdDispatch)gdpa(dev, "vkCmdDispatch");
  f->pipeline_barrier = (PFN_vkCmdPipelineBarrier)gdpa(dev, "vkCmdPipelineBarrier");
  f->write_timestamp = (PFN_vkCmdWriteTimestamp)gdpa(dev, "vkCmdWriteTimestamp");
  f->bind_descriptor_sets = (PFN_vkCmdBindDescriptorSets)gdpa(dev, "vkCmdBindDescriptorSets");
  f->allocate_descriptor_sets = (PFN_vkAllocateDescriptorSets)gdpa(dev, "vkAllocateDescriptorSets");
  f->update_descriptor_sets = (PFN_vkUpdateDescriptorSets)gdpa(dev, "vkUpdateDescriptorSets");
  f->create_compute_pipelines = (PFN_vkCreateComputePipelines)gdpa(dev, "vkCreateComputePipelines");
  if (push_descriptor)
    f->push_descriptor_set = (PFN_vkCmdPushDescriptorSetKHR)gdpa(dev, "vkCmdPushDescriptorSetKHR");
  if (!f->bind_pipeline || !f->push_constants || !f->dispatch || !f->pipeline_barrier ||
      !f->write_timestamp || !f->bind_descriptor_sets || !f->allocate_descriptor_sets ||
      !f->update_descriptor_sets || !f->create_compute_pipelines || (push_descriptor && !f->push_descriptor_set))
    return -1;
  return 0;
}

enum { MAX_BINDINGS = 16 };

VkResult ict_dispatch(const ict_device_fns *f, VkCommandBuffer cmd,
                      VkPipeline pipe, VkPipelineLayout layout,
                      VkDescriptorSetLayout set_layout, VkDescriptorPool pool,
                      uint32_t nbuf, const VkBuffer *bufs,
                      const VkDeviceSize *offsets, const VkDeviceSize *ranges,
                      const VkBufferView *views, const void *push, uint32_t push_size, uint32_t gx,
                      uint32_t gy, uint32_t gz) {
  if (nbuf > MAX_BINDINGS) return VK_ERROR_UNKNOWN;
  VkDescriptorBufferInfo infos[MAX_BINDINGS];
  VkWriteDescriptorSet writes[MAX_BINDINGS];
  for (uint32_t i = 0; i < nbuf; i++) {
    infos[i].buffer = bufs[i];
    infos[i].offset = offsets[i];
    infos[i].range = ranges[i];
    memset(&writes[i], 0, sizeof(writes[i]));
    writes[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
    writes[i].dstBinding = i;
    writes[i].descriptorCount = 1;
    if (views != NULL && views[i] != VK_NULL_HANDLE) {
      writes[i].descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
      writes[i].pTexelBufferView = &views[i];
    } else {
      writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
      writes[i].pBufferInfo = &infos[i];
    }
  }
  f->bind_pipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipe);
  if (nbuf > 0) {
    if (pool == VK_NULL_HANDLE) {
      f->push_descriptor_set(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, nbuf, writes);
    } else {
      VkDescriptorSetAllocateInfo ai = {VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
      ai.descriptorPool = pool;
      ai.descriptorSetCount = 1;
      ai.pSetLayouts = &set_layout;
      VkDescriptorSet set;
      VkResult r = f->allocate_descriptor_sets(f->device, &ai, &set);
      if (r != VK_SUCCESS) return r;
      for (uint32_t i = 0; i < nbuf; i++) writes[i].dstSet = set;
      f->update_descriptor_sets(f->device, nbuf, writes, 0, NULL);
      f->bind_descriptor_sets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0, NULL);
    }
  }
  if (push_size > 0)
    f->push_constants(cmd, layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, push_size, push);
  f->dispatch(cmd, gx, gy, gz);
  return VK_SUCCESS;
}

void ict_barrier(const ict_device_fns *f, VkCommandBuffer cmd,
                 VkPipelineStageFlags src_stage, VkAccessFlags src_access,
                 VkPipelineStageFlags dst_stage, VkAccessFlags dst_access) {
  VkMemoryBarrier b = {VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  b.srcAccessMask = src_access;
  b.dstAccessMask = dst_access;
  f->pipeline_barrier(cmd, src_stage, dst_stage, 0, 1, &b, 0, NULL, 0, NULL);
}

void ict_timestamp(const ict_device_fns *f, VkCommandBuffer cmd,
                   VkPipelineStageFlagBits stage, VkQueryPool pool,
                   uint32_t query) {
  f->write_timestamp(cmd, stage, pool, query);
}

void ict_driver_name(VkInstance inst, VkPhysicalDevice pd, char *buf, int buflen) {
  buf[0] = 0;
  PFN_vkGetPhysicalDeviceProperties2 get =
      (PFN_vkGetPhysicalDeviceProperties2)gipa(inst, "vkGetPhysicalDeviceProperties2");
  if (get == NULL) return;
  VkPhysicalDeviceDriverProperties drv = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
  VkPhysicalDeviceProperties2 props = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
  props.pNext = &drv;
  get(pd, &props);
  snprintf(buf, buflen, "%s %s", drv.driverName, drv.driverInfo);
}

VkResult ict_create_compute_pipeline(const ict_device_fns *f, VkPipelineCache cache,
                                     VkShaderModule module, VkPipelineLayout layout,
                                     const uint32_t *spec, uint32_t nspec,
                                     VkPipeline *out) {
  VkSpecializationMapEntry entries[32];
  if (nspec > 32) return VK_ERROR_UNKNOWN;
  for (uint32_t i = 0; i < nspec; i++) {
    entries[i].constantID = i;
    entries[i].offset = 4 * i;
    entries[i].size = 4;
  }
  VkSpecializationInfo si = {nspec, entries, 4 * (size_t)nspec, spec};
  VkComputePipelineCreateInfo info = {VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  info.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
  info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  info.stage.module = module;
  info.stage.pName = "main";
  info.stage.pSpecializationInfo = nspec > 0 ? &si : NULL;
  info.layout = layout;
  return f->create_compute_pipelines(f->device, cache, 1, &info, NULL, out);
}
