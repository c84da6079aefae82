#include "present.h"

#include <string.h>

#include "shim.h"

int ict_surface_support(VkInstance inst, VkPhysicalDevice pd, uint32_t family, VkSurfaceKHR surface) {
  PFN_vkGetPhysicalDeviceSurfaceSupportKHR get =
      (PFN_vkGetPhysicalDeviceSurfaceSupportKHR)ict_gipa()(inst, "vkGetPhysicalDeviceSurfaceSupportKHR");
  if (get == NULL) return -1;
  VkBool32 ok = VK_FALSE;
  if (get(pd, family, surface, &ok) != VK_SUCCESS) return 0;
  return ok ? 1 : 0;
}

void ict_destroy_surface(VkInstance inst, VkSurfaceKHR surface) {
  PFN_vkDestroySurfaceKHR destroy = (PFN_vkDestroySurfaceKHR)ict_gipa()(inst, "vkDestroySurfaceKHR");
  if (destroy != NULL && surface != VK_NULL_HANDLE) destroy(inst, surface, NULL);
}

VkResult ict_present_device(VkInstance inst, VkPhysicalDevice pd, uint32_t family,
                            VkDevice *dev, VkQueue *queue) {
  PFN_vkCreateDevice create = (PFN_vkCreateDevice)ict_gipa()(inst, "vkCreateDevice");
  PFN_vkGetDeviceProcAddr gdpa = (PFN_vkGetDeviceProcAddr)ict_gipa()(inst, "vkGetDeviceProcAddr");
  if (create == NULL || gdpa == NULL) return VK_ERROR_INITIALIZATION_FAILED;
  float priority = 1;
  VkDeviceQueueCreateInfo q = {VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  q.queueFamilyIndex = family;
  q.queueCount = 1;
  q.pQueuePriorities = &priority;
  const char *exts[] = {VK_KHR_SWAPCHAIN_EXTENSION_NAME};
  VkDeviceCreateInfo info = {VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  info.queueCreateInfoCount = 1;
  info.pQueueCreateInfos = &q;
  info.enabledExtensionCount = 1;
  info.ppEnabledExtensionNames = exts;
  VkResult r = create(pd, &info, NULL, dev);
  if (r != VK_SUCCESS) return r;
  PFN_vkGetDeviceQueue get_queue = (PFN_vkGetDeviceQueue)gdpa(*dev, "vkGetDeviceQueue");
  get_queue(*dev, family, 0, queue);
  return VK_SUCCESS;
}

#define LOAD_I(field, name) p->field = (void *)gipa(inst, name)
#define LOAD_D(field, name) p->field = (void *)gdpa(dev, name)

VkResult ict_presenter_init(ict_presenter *p, VkInstance inst, VkPhysicalDevice pd,
                            VkDevice dev, VkQueue queue, uint32_t family,
                            VkSurfaceKHR surface, int own) {
  PFN_vkGetInstanceProcAddr gipa = ict_gipa();
  PFN_vkGetDeviceProcAddr gdpa = (PFN_vkGetDeviceProcAddr)gipa(inst, "vkGetDeviceProcAddr");
  if (gdpa == NULL) return VK_ERROR_INITIALIZATION_FAILED;
  memset(p, 0, sizeof(*p));
  p->instance = inst;
  p->physical = pd;
  p->device = dev;
  p->queue = queue;
  p->family = family;
  p->surface = surface;
  LOAD_I(surface_support, "vkGetPhysicalDeviceSurfaceSupportKHR");
  LOAD_I(surface_caps, "vkGetPhysicalDeviceSurfaceCapabilitiesKHR");
  LOAD_I(surface_formats, "vkGetPhysicalDeviceSurfaceFormatsKHR");
  LOAD_I(surface_modes, "vkGetPhysicalDeviceSurfacePresentModesKHR");
  LOAD_I(memory_props, "vkGetPhysicalDeviceMemoryProperties");
  LOAD_D(create_swapchain, "vkCreateSwapchainKHR");
  LOAD_D(destroy_swapchain, "vkDestroySwapchainKHR");
  LOAD_D(swapchain_images, "vkGetSwapchainImagesKHR");
  LOAD_D(acquire, "vkAcquireNextImageKHR");
  LOAD_D(present, "vkQueuePresentKHR");
  LOAD_D(create_semaphore, "vkCreateSemaphore");
  LOAD_D(destroy_semaphore, "vkDestroySemaphore");
  LOAD_D(create_fence, "vkCreateFence");
  LOAD_D(destroy_fence, "vkDestroyFence");
  LOAD_D(wait_fences, "vkWaitForFences");
  LOAD_D(reset_fences, "vkResetFences");
  LOAD_D(create_pool, "vkCreateCommandPool");
  LOAD_D(destroy_pool, "vkDestroyCommandPool");
  LOAD_D(alloc_cmd, "vkAllocateCommandBuffers");
  LOAD_D(begin_cmd, "vkBeginCommandBuffer");
  LOAD_D(end_cmd, "vkEndCommandBuffer");
  LOAD_D(barrier, "vkCmdPipelineBarrier");
  LOAD_D(copy, "vkCmdCopyBufferToImage");
  LOAD_D(submit, "vkQueueSubmit");
  LOAD_D(queue_wait_idle, "vkQueueWaitIdle");
  LOAD_D(create_buffer, "vkCreateBuffer");
  LOAD_D(destroy_buffer, "vkDestroyBuffer");
  LOAD_D(buffer_reqs, "vkGetBufferMemoryRequirements");
  LOAD_D(alloc_memory, "vkAllocateMemory");
  LOAD_D(free_memory, "vkFreeMemory");
  LOAD_D(bind_memory, "vkBindBufferMemory");
  LOAD_D(map_memory, "vkMapMemory");
  if (own) LOAD_D(destroy_device, "vkDestroyDevice");
  if (!p->surface_caps || !p->surface_formats || !p->surface_modes || !p->create_swapchain ||
      !p->acquire || !p->present || !p->swapchain_images)
    return VK_ERROR_EXTENSION_NOT_PRESENT;

  VkCommandPoolCreateInfo pi = {VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  pi.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pi.queueFamilyIndex = family;
  VkResult r = p->create_pool(dev, &pi, NULL, &p->pool);
  if (r != VK_SUCCESS) return r;
  VkCommandBufferAllocateInfo ai = {VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  ai.commandPool = p->pool;
  ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  ai.commandBufferCount = 1;
  if ((r = p->alloc_cmd(dev, &ai, &p->cmd)) != VK_SUCCESS) return r;
  VkFenceCreateInfo fi = {VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  fi.flags = VK_FENCE_CREATE_SIGNALED_BIT;
  if ((r = p->create_fence(dev, &fi, NULL, &p->done)) != VK_SUCCESS) return r;
  VkSemaphoreCreateInfo si = {VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
  return p->create_semaphore(dev, &si, NULL, &p->acquired);
}

static void destroy_swapchain_objects(ict_presenter *p) {
  for (uint32_t i = 0; i < p->nimages; i++) {
    if (p->rendered[i] != VK_NULL_HANDLE) p->destroy_semaphore(p->device, p->rendered[i], NULL);
    p->rendered[i] = VK_NULL_HANDLE;
  }
  p->nimages = 0;
}

static void destroy_staging(ict_presenter *p) {
  if (p->staging != VK_NULL_HANDLE) p->destroy_buffer(p->device, p->staging, NULL);
  if (p->staging_mem != VK_NULL_HANDLE) p->free_memory(p->device, p->staging_mem, NULL);  // unmaps
  p->staging = VK_NULL_HANDLE;
  p->staging_mem = VK_NULL_HANDLE;
  p->staging_size = 0;
  p->mapped = NULL;
}

static VkResult make_staging(ict_presenter *p, VkDeviceSize size) {
  if (size <= p->staging_size) return VK_SUCCESS;
  destroy_staging(p);
  VkBufferCreateInfo bi = {VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  bi.size = size;
  bi.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
  bi.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VkResult r = p->create_buffer(p->device, &bi, NULL, &p->staging);
  if (r != VK_SUCCESS) return r;
  VkMemoryRequirements req;
  p->buffer_reqs(p->device, p->staging, &req);
  VkPhysicalDeviceMemoryProperties mp;
  p->memory_props(p->physical, &mp);
  const VkMemoryPropertyFlags want = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  uint32_t type = UINT32_MAX;
  for (uint32_t i = 0; i < mp.memoryTypeCount && type == UINT32_MAX; i++)
    if ((req.memoryTypeBits & (1u << i)) && (mp.memoryTypes[i].propertyFlags & want) == want) type = i;
  if (type == UINT32_MAX) return VK_ERROR_OUT_OF_HOST_MEMORY;
  VkMemoryAllocateInfo ai = {VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  ai.allocationSize = req.size;
  ai.memoryTypeIndex = type;
  if ((r = p->alloc_memory(p->device, &ai, NULL, &p->staging_mem)) != VK_SUCCESS) return r;
  if ((r = p->bind_memory(p->device, p->staging, p->staging_mem, 0)) != VK_SUCCESS) return r;
  if ((r = p->map_memory(p->device, p->staging_mem, 0, VK_WHOLE_SIZE, 0, &p->mapped)) != VK_SUCCESS) return r;
  p->staging_size = size;
  return VK_SUCCESS;
}

// pick_format prefers UNORM 8-bit formats: the copy writes the bytes as
// they are, so what the grid's PNG holds is what the window shows.
static VkResult pick_format(ict_presenter *p, VkSurfaceFormatKHR *out) {
  VkSurfaceFormatKHR formats[64];
  uint32_t n = 64;
  VkResult r = p->surface_formats(p->physical, p->surface, &n, formats);
  if (r != VK_SUCCESS && r != VK_INCOMPLETE) return r;
  const VkFormat order[] = {VK_FORMAT_B8G8R8A8_UNORM, VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_B8G8R8A8_SRGB,
                            VK_FORMAT_R8G8B8A8_SRGB};
  for (int k = 0; k < 4; k++)
    for (uint32_t i = 0; i < n; i++)
      if (formats[i].format == order[k] && formats[i].colorSpace == VK_COLOR_SPACE_SRGB_NONLINEAR_KHR) {
        *out = formats[i];
        return VK_SUCCESS;
      }
  return VK_ERROR_FORMAT_NOT_SUPPORTED;
}

VkResult ict_presenter_configure(ict_presenter *p, uint32_t width, uint32_t height) {
  VkSurfaceCapabilitiesKHR caps;
  VkResult r = p->surface_caps(p->physical, p->surface, &caps);
  if (r != VK_SUCCESS) return r;
  VkExtent2D ext = caps.currentExtent;
  if (ext.width == UINT32_MAX) {  // the surface takes the swapchain's size
    ext.width = width < caps.minImageExtent.width ? caps.minImageExtent.width : width;
    ext.height = height < caps.minImageExtent.height ? caps.minImageExtent.height : height;
    if (ext.width > caps.maxImageExtent.width) ext.width = caps.maxImageExtent.width;
    if (ext.height > caps.maxImageExtent.height) ext.height = caps.maxImageExtent.height;
  }
  VkSwapchainKHR old = p->swapchain;
  if (ext.width == 0 || ext.height == 0) {  // minimized: nothing to present to
    destroy_swapchain_objects(p);
    if (old != VK_NULL_HANDLE) p->destroy_swapchain(p->device, old, NULL);
    p->swapchain = VK_NULL_HANDLE;
    p->extent = ext;
    return VK_SUCCESS;
  }
  if (!(caps.supportedUsageFlags & VK_IMAGE_USAGE_TRANSFER_DST_BIT)) return VK_ERROR_FEATURE_NOT_PRESENT;
  VkSurfaceFormatKHR format;
  if ((r = pick_format(p, &format)) != VK_SUCCESS) return r;
  VkPresentModeKHR modes[16];
  uint32_t nmodes = 16;
  r = p->surface_modes(p->physical, p->surface, &nmodes, modes);
  if (r != VK_SUCCESS && r != VK_INCOMPLETE) return r;
  // FIFO is always there; MAILBOX never blocks the window loop on a
  // vertical blank and never tears.
  VkPresentModeKHR mode = VK_PRESENT_MODE_FIFO_KHR;
  for (uint32_t i = 0; i < nmodes; i++)
    if (modes[i] == VK_PRESENT_MODE_MAILBOX_KHR) mode = modes[i];
  uint32_t count = caps.minImageCount + 1;
  if (caps.maxImageCount != 0 && count > caps.maxImageCount) count = caps.maxImageCount;
  if (count > ICT_MAX_SWAP_IMAGES) count = ICT_MAX_SWAP_IMAGES;
  VkCompositeAlphaFlagBitsKHR alpha = VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR;
  if (!(caps.supportedCompositeAlpha & alpha)) {
    for (uint32_t bit = 1; bit <= VK_COMPOSITE_ALPHA_INHERIT_BIT_KHR; bit <<= 1)
      if (caps.supportedCompositeAlpha & bit) {
        alpha = (VkCompositeAlphaFlagBitsKHR)bit;
        break;
      }
  }

  VkSwapchainCreateInfoKHR si = {VK_STRUCTURE_TYPE_SWAPCHAIN_CREATE_INFO_KHR};
  si.surface = p->surface;
  si.minImageCount = count;
  si.imageFormat = format.format;
  si.imageColorSpace = format.colorSpace;
  si.imageExtent = ext;
  si.imageArrayLayers = 1;
  si.imageUsage = VK_IMAGE_USAGE_TRANSFER_DST_BIT;
  si.imageSharingMode = VK_SHARING_MODE_EXCLUSIVE;
  si.preTransform = caps.currentTransform;
  si.compositeAlpha = alpha;
  si.presentMode = mode;
  si.clipped = VK_TRUE;
  si.oldSwapchain = old;
  VkSwapchainKHR sc;
  r = p->create_swapchain(p->device, &si, NULL, &sc);
  destroy_swapchain_objects(p);
  if (old != VK_NULL_HANDLE) p->destroy_swapchain(p->device, old, NULL);
  p->swapchain = VK_NULL_HANDLE;
  if (r != VK_SUCCESS) return r;
  p->swapchain = sc;
  p->format = format.format;
  p->extent = ext;
  p->mode = mode;
  uint32_t n = ICT_MAX_SWAP_IMAGES;
  r = p->swapchain_images(p->device, sc, &n, p->images);
  if (r != VK_SUCCESS && r != VK_INCOMPLETE) return r;
  VkSemaphoreCreateInfo sem = {VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
  for (uint32_t i = 0; i < n; i++) {
    if ((r = p->create_semaphore(p->device, &sem, NULL, &p->rendered[i])) != VK_SUCCESS) return r;
    p->nimages = i + 1;
  }
  return make_staging(p, (VkDeviceSize)ext.width * ext.height * 4);
}

VkResult ict_presenter_acquire(ict_presenter *p, uint64_t timeout_ns, uint32_t *index) {
  // The staging buffer and the semaphore are reused: the last copy must be done.
  VkResult r = p->wait_fences(p->device, 1, &p->done, VK_TRUE, timeout_ns);
  if (r != VK_SUCCESS) return r;
  return p->acquire(p->device, p->swapchain, timeout_ns, p->acquired, VK_NULL_HANDLE, index);
}

VkResult ict_presenter_submit(ict_presenter *p, uint32_t index) {
  if (index >= p->nimages) return VK_ERROR_UNKNOWN;
  VkImage image = p->images[index];
  VkResult r = p->reset_fences(p->device, 1, &p->done);
  if (r != VK_SUCCESS) return r;
  VkCommandBufferBeginInfo bi = {VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  if ((r = p->begin_cmd(p->cmd, &bi)) != VK_SUCCESS) return r;

  VkImageMemoryBarrier b = {VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
  b.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  b.image = image;
  b.subresourceRange.aspectMask = VK_IMAGE_ASPECT_COLOR_BIT;
  b.subresourceRange.levelCount = 1;
  b.subresourceRange.layerCount = 1;
  // The old contents are not needed: UNDEFINED discards them. The source
  // stage matches the semaphore wait below, which chains the acquire.
  b.oldLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  b.newLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
  b.srcAccessMask = 0;
  b.dstAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  p->barrier(p->cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0, NULL, 0, NULL, 1, &b);

  VkBufferImageCopy region;
  memset(&region, 0, sizeof(region));
  region.imageSubresource.aspectMask = VK_IMAGE_ASPECT_COLOR_BIT;
  region.imageSubresource.layerCount = 1;
  region.imageExtent.width = p->extent.width;
  region.imageExtent.height = p->extent.height;
  region.imageExtent.depth = 1;
  p->copy(p->cmd, p->staging, image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &region);

  b.oldLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
  b.newLayout = VK_IMAGE_LAYOUT_PRESENT_SRC_KHR;
  b.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  b.dstAccessMask = 0;  // the present waits on the semaphore, which makes the write visible
  p->barrier(p->cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, 0, 0, NULL, 0, NULL, 1, &b);
  if ((r = p->end_cmd(p->cmd)) != VK_SUCCESS) return r;

  VkPipelineStageFlags wait_stage = VK_PIPELINE_STAGE_TRANSFER_BIT;
  VkSubmitInfo si = {VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.waitSemaphoreCount = 1;
  si.pWaitSemaphores = &p->acquired;
  si.pWaitDstStageMask = &wait_stage;
  si.commandBufferCount = 1;
  si.pCommandBuffers = &p->cmd;
  si.signalSemaphoreCount = 1;
  si.pSignalSemaphores = &p->rendered[index];
  if ((r = p->submit(p->queue, 1, &si, p->done)) != VK_SUCCESS) return r;

  VkPresentInfoKHR pi = {VK_STRUCTURE_TYPE_PRESENT_INFO_KHR};
  pi.waitSemaphoreCount = 1;
  pi.pWaitSemaphores = &p->rendered[index];
  pi.swapchainCount = 1;
  pi.pSwapchains = &p->swapchain;
  pi.pImageIndices = &index;
  return p->present(p->queue, &pi);
}

VkResult ict_presenter_wait_idle(ict_presenter *p) { return p->queue_wait_idle(p->queue); }

void ict_presenter_destroy(ict_presenter *p) {
  if (p->device == VK_NULL_HANDLE) return;
  destroy_swapchain_objects(p);
  if (p->swapchain != VK_NULL_HANDLE) p->destroy_swapchain(p->device, p->swapchain, NULL);
  p->swapchain = VK_NULL_HANDLE;
  destroy_staging(p);
  if (p->acquired != VK_NULL_HANDLE) p->destroy_semaphore(p->device, p->acquired, NULL);
  if (p->done != VK_NULL_HANDLE) p->destroy_fence(p->device, p->done, NULL);
  if (p->pool != VK_NULL_HANDLE) p->destroy_pool(p->device, p->pool, NULL);
  if (p->destroy_device != NULL) p->destroy_device(p->device, NULL);
  p->device = VK_NULL_HANDLE;
}
