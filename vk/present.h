// The C side of presenting: a swapchain on a window surface, fed by
// copying a host-visible buffer into the acquired image. Every create info
// lives on the C stack (see ict_create_compute_pipeline for why).
#ifndef ICTVK_PRESENT_H
#define ICTVK_PRESENT_H

#include <stdint.h>
#include <vulkan/vulkan.h>

enum { ICT_MAX_SWAP_IMAGES = 8 };

typedef struct ict_presenter {
  VkInstance instance;
  VkPhysicalDevice physical;
  VkDevice device;
  VkQueue queue;
  uint32_t family;
  VkSurfaceKHR surface;

  VkSwapchainKHR swapchain;
  VkFormat format;
  VkExtent2D extent;
  VkPresentModeKHR mode;
  uint32_t nimages;
  VkImage images[ICT_MAX_SWAP_IMAGES];
  // One per image: reused only once the same image is acquired again, by
  // which time its previous present has waited on it.
  VkSemaphore rendered[ICT_MAX_SWAP_IMAGES];
  VkSemaphore acquired;
  VkFence done;  // the last copy; created signaled
  VkCommandPool pool;
  VkCommandBuffer cmd;

  VkBuffer staging;
  VkDeviceMemory staging_mem;
  VkDeviceSize staging_size;
  void *mapped;

  PFN_vkGetPhysicalDeviceSurfaceSupportKHR surface_support;
  PFN_vkGetPhysicalDeviceSurfaceCapabilitiesKHR surface_caps;
  PFN_vkGetPhysicalDeviceSurfaceFormatsKHR surface_formats;
  PFN_vkGetPhysicalDeviceSurfacePresentModesKHR surface_modes;
  PFN_vkGetPhysicalDeviceMemoryProperties memory_props;
  PFN_vkCreateSwapchainKHR create_swapchain;
  PFN_vkDestroySwapchainKHR destroy_swapchain;
  PFN_vkGetSwapchainImagesKHR swapchain_images;
  PFN_vkAcquireNextImageKHR acquire;
  PFN_vkQueuePresentKHR present;
  PFN_vkCreateSemaphore create_semaphore;
  PFN_vkDestroySemaphore destroy_semaphore;
  PFN_vkCreateFence create_fence;
  PFN_vkDestroyFence destroy_fence;
  PFN_vkWaitForFences wait_fences;
  PFN_vkResetFences reset_fences;
  PFN_vkCreateCommandPool create_pool;
  PFN_vkDestroyCommandPool destroy_pool;
  PFN_vkAllocateCommandBuffers alloc_cmd;
  PFN_vkBeginCommandBuffer begin_cmd;
  PFN_vkEndCommandBuffer end_cmd;
  PFN_vkCmdPipelineBarrier barrier;
  PFN_vkCmdCopyBufferToImage copy;
  PFN_vkQueueSubmit submit;
  PFN_vkQueueWaitIdle queue_wait_idle;
  PFN_vkCreateBuffer create_buffer;
  PFN_vkDestroyBuffer destroy_buffer;
  PFN_vkGetBufferMemoryRequirements buffer_reqs;
  PFN_vkAllocateMemory alloc_memory;
  PFN_vkFreeMemory free_memory;
  PFN_vkBindBufferMemory bind_memory;
  PFN_vkMapMemory map_memory;
  PFN_vkDestroyDevice destroy_device;  // set only when the presenter owns its device
} ict_presenter;

// ict_surface_support reports whether queue family of pd can present to
// surface (0 or 1), or -1 when the instance lacks VK_KHR_surface.
int ict_surface_support(VkInstance inst, VkPhysicalDevice pd, uint32_t family, VkSurfaceKHR surface);

// ict_destroy_surface destroys a surface made by a windowing library.
void ict_destroy_surface(VkInstance inst, VkSurfaceKHR surface);

// ict_present_device creates a device with one queue of family and
// VK_KHR_swapchain, for presenting when the training device cannot.
VkResult ict_present_device(VkInstance inst, VkPhysicalDevice pd, uint32_t family,
                            VkDevice *dev, VkQueue *queue);

// ict_presenter_init loads the entry points and creates the command
// buffer, fence and acquire semaphore. With own set, destroy also
// destroys the device.
VkResult ict_presenter_init(ict_presenter *p, VkInstance inst, VkPhysicalDevice pd,
                            VkDevice dev, VkQueue queue, uint32_t family,
                            VkSurfaceKHR surface, int own);

// ict_presenter_configure (re)creates the swapchain and staging buffer for
// a window of width x height pixels; the caller has made the queue idle.
// p->extent is what the surface took; 0x0 (minimized) leaves no swapchain.
VkResult ict_presenter_configure(ict_presenter *p, uint32_t width, uint32_t height);

// ict_presenter_acquire waits for the previous copy and acquires an image.
// VK_SUBOPTIMAL_KHR still gives an image that must be presented.
VkResult ict_presenter_acquire(ict_presenter *p, uint64_t timeout_ns, uint32_t *index);

// ict_presenter_submit copies the staging buffer into image index and
// presents it. The queue must be held by the caller.
VkResult ict_presenter_submit(ict_presenter *p, uint32_t index);

// ict_presenter_wait_idle waits for the queue; the caller holds it.
VkResult ict_presenter_wait_idle(ict_presenter *p);

void ict_presenter_destroy(ict_presenter *p);

#endif
