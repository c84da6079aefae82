#ifndef VULKAN_DEFAULT_LOADER_H_
#define VULKAN_DEFAULT_LOADER_H_ 1

void* getDefaultProcAddr();

#endif // VULKAN_DEFAULT_LOADER_H_